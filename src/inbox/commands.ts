// The one write path, as one public entry: every command is in commands/ (unit.ts says
// how they run, alone or together in one unit of work). Callers import from here.

// Kept for the callers that read it from here; limits.ts is its home.
export { MAX_FORWARD_RECIPIENTS } from '../limits.js';
export { type BlockedSender, blockSender, unblockSender } from './commands/blocked-senders.js';
export {
  BULK_TIMER,
  type BulkAction,
  type BulkJobStarted,
  type BulkTargets,
  cancelBulkJob,
  MAX_BULK_IDS,
  resumeBulkJobs,
  startBulkJob,
} from './commands/bulk.js';
export { BULK_BATCH, runBulkJob } from './commands/bulk-run.js';
export { addCannedFiles, cannedAttachments, removeCannedFile } from './commands/canned-files.js';
export {
  type CannedReply,
  type CannedReplyInput,
  type CannedSharing,
  createCannedReply,
  deleteCannedReply,
  updateCannedReply,
} from './commands/canned-replies.js';
export {
  assignConversation,
  type ConversationChanges,
  changeConversationCustomer,
  type EscalationReason,
  escalateConversation,
  labelConversation,
  setConversationPriority,
  setConversationType,
  updateConversation,
  updateConversationStatus,
} from './commands/conversation.js';
export { recordDelivery, retryDelivery } from './commands/delivery.js';
export { setFollowing } from './commands/followers.js';
export { type ForwardInput, forwardConversation } from './commands/forward.js';
export { deleteConversation, linkFollowUp } from './commands/lifecycle.js';
export { applyMacro, createMacro, deleteMacro, type Macro, type MacroInput, recordMacroApplied, updateMacro } from './commands/macros.js';
export { type MergeResult, mergeConversations, UNMERGE_DAYS, unmergeConversation } from './commands/merge.js';
export type { MessageContent, MessageResult } from './commands/message-content.js';
export { type AddMessageInput, addMessage, type CreateConversationInput, createConversation } from './commands/messages.js';
export {
  type MailSending,
  messageExcerpt,
  NOTIFICATION_DIGEST_JOB,
  NOTIFICATION_MAIL_JOB,
  type NotificationDigestJobPayload,
  type NotificationMailJobPayload,
  notificationsForMail,
  prepareNotificationDigest,
  prepareNotificationMail,
  queuedOf,
  settleNotificationMail,
} from './commands/notification-mail.js';
export {
  type SavePreferencesInput,
  saveNotificationPreferences,
  saveTeamNotificationSettings,
  setNotificationMailDisabled,
  type TeamSettingsChange,
} from './commands/notification-preferences.js';
export { markNotificationsRead, type NotificationReadInput } from './commands/notifications.js';
export { markConversationRead, markSeenByCustomer } from './commands/reads.js';
export { type SnoozeUntil, snoozeConversation, type UnsnoozeReason, unsnoozeConversation } from './commands/snooze.js';
export { type MarkAsSpamInput, markAsSpam, restoreFromSpam } from './commands/spam.js';
export { createTeam, deleteTeam, type Team, type TeamInput, updateTeam } from './commands/teams.js';
export { type CommandTarget, inUnit, Unit } from './commands/unit.js';
export { createView, deleteView, type SavedView, updateView, type ViewFilter, type ViewInput } from './commands/views.js';
