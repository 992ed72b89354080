import { type Migration, type MigrationResultSet, Migrator } from 'kysely';
import type { Store } from './database.js';
import { coreMigration } from './migrations/0001_core.js';
import { accountsMigration } from './migrations/0002_accounts.js';
import { emailMigration } from './migrations/0003_email.js';
import { portalMigration } from './migrations/0004_portal.js';
import { emailDeliveryMigration } from './migrations/0005_email_delivery.js';
import { knowledgeBaseMigration } from './migrations/0006_kb.js';
import { chatMigration } from './migrations/0007_chat.js';
import { outboxSecretsMigration } from './migrations/0008_outbox_secrets.js';
import { chatVisitorDetailsMigration } from './migrations/0009_chat_visitor_details.js';
import { messageAutoSignatureMigration } from './migrations/0010_message_auto_signature.js';
import { emailParticipantsMigration } from './migrations/0011_email_participants.js';
import { teamPendingIndexesMigration } from './migrations/0012_team_pending_indexes.js';
import { businessCalendarMigration } from './migrations/0013_business_calendar.js';
import { timersMigration } from './migrations/0014_timers.js';
import { eventOriginMigration } from './migrations/0015_event_origin.js';
import { teamsMigration } from './migrations/0016_teams.js';
import { availabilityMigration } from './migrations/0017_availability.js';
import { savedViewsMigration } from './migrations/0018_saved_views.js';
import { mentionsParticipantsMigration } from './migrations/0019_mentions_participants.js';
import { assignmentMigration } from './migrations/0020_assignment.js';
import { cannedRepliesMigration } from './migrations/0021_canned_replies.js';
import { macrosMigration } from './migrations/0022_macros.js';
import { conversationStatesMigration } from './migrations/0023_conversation_states.js';
import { bulkJobsMigration } from './migrations/0024_bulk_jobs.js';
import { conversationMergesMigration } from './migrations/0025_conversation_merges.js';
import { blockedSendersMigration } from './migrations/0026_blocked_senders.js';
import { cannedReplyFilesMigration } from './migrations/0027_canned_reply_files.js';
import { notificationsMigration } from './migrations/0028_notifications.js';
import { notificationPreferencesMigration } from './migrations/0029_notification_preferences.js';
import { pushSubscriptionsMigration } from './migrations/0030_push_subscriptions.js';
import { notificationChangesMigration } from './migrations/0031_notification_changes.js';
import { notificationMailDueMigration } from './migrations/0032_notification_mail_due.js';
import { reportsMigration } from './migrations/0033_reports.js';
import { csatMigration } from './migrations/0034_csat.js';
import { reportDayRollupsMigration } from './migrations/0035_report_day_rollups.js';
import { importsMigration } from './migrations/0036_imports.js';
import { importExtrasMigration } from './migrations/0037_import_extras.js';

// Forward-only, named migrations. Kysely's migrator takes a lock, so several app
// instances starting at once apply each migration exactly once.
function migrations(store: Store): Record<string, Migration> {
  return {
    '0001_core': coreMigration(store.dialect),
    '0002_accounts': accountsMigration(store.dialect),
    '0003_email': emailMigration(store.dialect),
    '0004_portal': portalMigration(store.dialect),
    '0005_email_delivery': emailDeliveryMigration(store.dialect),
    '0006_kb': knowledgeBaseMigration(store.dialect),
    '0007_chat': chatMigration(store.dialect),
    '0008_outbox_secrets': outboxSecretsMigration(),
    '0009_chat_visitor_details': chatVisitorDetailsMigration(),
    '0010_message_auto_signature': messageAutoSignatureMigration(),
    '0011_email_participants': emailParticipantsMigration(),
    '0012_team_pending_indexes': teamPendingIndexesMigration(),
    '0013_business_calendar': businessCalendarMigration(store.dialect),
    '0014_timers': timersMigration(store.dialect),
    '0015_event_origin': eventOriginMigration(),
    '0016_teams': teamsMigration(store.dialect),
    '0017_availability': availabilityMigration(),
    '0018_saved_views': savedViewsMigration(store.dialect),
    '0019_mentions_participants': mentionsParticipantsMigration(store.dialect),
    '0020_assignment': assignmentMigration(store.dialect),
    '0021_canned_replies': cannedRepliesMigration(store.dialect),
    '0022_macros': macrosMigration(store.dialect),
    '0023_conversation_states': conversationStatesMigration(store.dialect),
    '0024_bulk_jobs': bulkJobsMigration(store.dialect),
    '0025_conversation_merges': conversationMergesMigration(store.dialect),
    '0026_blocked_senders': blockedSendersMigration(store.dialect),
    '0027_canned_reply_files': cannedReplyFilesMigration(store.dialect),
    '0028_notifications': notificationsMigration(store.dialect),
    '0029_notification_preferences': notificationPreferencesMigration(store.dialect),
    '0030_push_subscriptions': pushSubscriptionsMigration(store.dialect),
    '0031_notification_changes': notificationChangesMigration(store.dialect),
    '0032_notification_mail_due': notificationMailDueMigration(),
    '0033_reports': reportsMigration(store.dialect),
    '0034_csat': csatMigration(store.dialect),
    '0035_report_day_rollups': reportDayRollupsMigration(store.dialect),
    '0036_imports': importsMigration(store.dialect),
    '0037_import_extras': importExtrasMigration(),
  };
}

export async function migrateToLatest(store: Store): Promise<string[]> {
  return migrateWith(store, (migrator) => migrator.migrateToLatest());
}

/** Up to and including `name`: for the tests of a migration that converts data. */
export async function migrateUpTo(store: Store, name: string): Promise<string[]> {
  return migrateWith(store, (migrator) => migrator.migrateTo(name));
}

async function migrateWith(store: Store, run: (migrator: Migrator) => Promise<MigrationResultSet>): Promise<string[]> {
  const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations(store) } });
  const { error, results } = await run(migrator);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
