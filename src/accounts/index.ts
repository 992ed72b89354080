// People and credentials, for the HTTP edge and the command line. Everything that writes
// users, sessions or API tokens goes through these functions.

export {
  ACCOUNT_LINK_JOB,
  type AccountLinkJob,
  type AccountLinkReason,
  confirmEmailVerification,
  confirmPasswordReset,
  requestEmailVerification,
  requestPasswordReset,
} from './account-links.js';
export { API_TOKEN_PREFIX, createApiToken, findUserByApiToken, getApiTokens, revokeApiToken } from './api-tokens.js';
export { AVAILABILITY_REQUESTS, type AvailabilityRequest, SeenTracker, teamOnline } from './availability.js';
export { type AccountsContext, accountsContext } from './context.js';
export { renameCustomer } from './customers.js';
export { DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_NAME, ensureFirstAdmin, type FirstAdminOptions, type FirstAdminResult } from './first-admin.js';
export { MAX_PASSWORD, MIN_PASSWORD } from './passwords.js';
export { cleanSignature, MAX_SIGNATURE, type ProfileChange, updateProfile } from './profile.js';
export type { ApiToken, Session, User } from './records.js';
export { createSession, csrfTokenMatches, endAllSessions, endSession, findSession, type NewSession } from './sessions.js';
export {
  authenticate,
  type CreateUserInput,
  changePassword,
  claimCustomerAccount,
  createUser,
  getTeam,
  getUser,
  getUserByEmail,
  MAX_NAME,
  type RegisterCustomerInput,
  registerCustomer,
  resetPassword,
  setUserActive,
  setUserRole,
  type TeamMemberChange,
  type TeamRole,
  updateTeamMember,
} from './users.js';
