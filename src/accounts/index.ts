// People and credentials, for the HTTP edge and the command line. Everything that writes
// users, sessions or API tokens goes through these functions.
export { accountsContext, type AccountsContext } from './context.js';
export { API_TOKEN_PREFIX, createApiToken, findUserByApiToken, getApiTokens, revokeApiToken } from './api-tokens.js';
export { DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_NAME, ensureFirstAdmin, type FirstAdminOptions, type FirstAdminResult } from './first-admin.js';
export type { ApiToken, Session, User } from './records.js';
export { ACCOUNT_LINK_JOB, confirmEmailVerification, confirmPasswordReset, requestEmailVerification, requestPasswordReset, type AccountLinkJob, type AccountLinkReason } from './account-links.js';
export { MAX_PASSWORD, MIN_PASSWORD } from './passwords.js';
export { cleanSignature, MAX_SIGNATURE, updateProfile, type ProfileChange } from './profile.js';
export { createSession, csrfTokenMatches, endAllSessions, endSession, findSession, type NewSession } from './sessions.js';
export {
  authenticate,
  changePassword,
  claimCustomerAccount,
  createUser,
  getTeam,
  getUser,
  getUserByEmail,
  MAX_NAME,
  registerCustomer,
  resetPassword,
  setUserActive,
  setUserRole,
  updateTeamMember,
  type CreateUserInput,
  type RegisterCustomerInput,
  type TeamMemberChange,
  type TeamRole,
} from './users.js';
