// Schema migrations, applied in order at start. A migration runs in a transaction, so a failed one leaves
// the database as it was. Never edit a released migration: add a new one.
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const migrations: Record<string, Migration> = {
  '0001-core': {
    async up(db: Kysely<any>) {
      await db.schema.createTable('kv')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull()).execute();
      await db.schema.createTable('blob_stores')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('attributes', 'text', (c) => c.notNull()).execute();
      await db.schema.createTable('repositories')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull()).execute();
      await db.schema.createTable('components')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('repository', 'text', (c) => c.notNull())
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull()).execute();
      await db.schema.createIndex('components_coordinates').unique().on('components')
        .columns(['repository', 'namespace', 'name', 'version']).execute();
      await db.schema.createTable('assets')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('repository', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('component_id', 'integer')
        .addColumn('sha256', 'text')
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('last_downloaded_at', 'bigint').execute();
      await db.schema.createIndex('assets_path').unique().on('assets').columns(['repository', 'path']).execute();
      await db.schema.createIndex('assets_kind_name').on('assets').columns(['repository', 'kind', 'name', 'path']).execute();
      await db.schema.createIndex('assets_sha256').on('assets').column('sha256').execute();
      await db.schema.createIndex('assets_component').on('assets').column('component_id').execute();
      await db.schema.createTable('asset_refs')
        .addColumn('asset_id', 'integer', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull()).execute();
      await db.schema.createIndex('asset_refs_asset').on('asset_refs').column('asset_id').execute();
      await db.schema.createIndex('asset_refs_digest').on('asset_refs').columns(['digest', 'kind']).execute();
      await db.schema.createTable('upload_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('repository', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('blob_store', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull()).execute();
      await db.schema.createTable('users')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('first_name', 'text', (c) => c.notNull())
        .addColumn('last_name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull()).execute();
      await sql`select 1`.execute(db);
    },
  },
  '0002-security': {
    async up(db: Kysely<any>) {
      await db.schema.createTable('roles')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('privileges', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('read_only', 'integer', (c) => c.notNull()).execute();
      await db.schema.alterTable('users').addColumn('source', 'text', (c) => c.notNull().defaultTo('default')).execute();
      await db.schema.createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('privileges', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('last_used_at', 'bigint').execute();
      await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();
    },
  },
  '0003-audit': {
    async up(db: Kysely<any>) {
      // Newest first, filtered by who / what / where: each index ends with id so paging stays an index walk.
      await db.schema.createTable('audit_events')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('timestamp', 'bigint', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('repository', 'text')
        .addColumn('object', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('remote_address', 'text')
        .addColumn('attributes', 'text', (c) => c.notNull()).execute();
      await db.schema.createIndex('audit_events_timestamp').on('audit_events').columns(['timestamp', 'id']).execute();
      await db.schema.createIndex('audit_events_user').on('audit_events').columns(['user_id', 'id']).execute();
      await db.schema.createIndex('audit_events_domain').on('audit_events').columns(['domain', 'type', 'id']).execute();
      await db.schema.createIndex('audit_events_repository').on('audit_events').columns(['repository', 'id']).execute();
    },
  },
  '0004-lifecycle': {
    async up(db: Kysely<any>) {
      // Cleanup policies (criteria as JSON), scheduled tasks with their runs and a lease per running task
      // (so one node runs it), and soft-deleted blobs waiting for compaction.
      await db.schema.createTable('cleanup_policies')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('notes', 'text', (c) => c.notNull())
        .addColumn('criteria', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull()).execute();
      await db.schema.createTable('tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('schedule', 'text', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('last_slot', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull()).execute();
      await db.schema.createTable('task_runs')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('node', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('log', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint').execute();
      await db.schema.createIndex('task_runs_task').on('task_runs').columns(['task_id', 'id']).execute();
      await db.schema.createTable('task_leases')
        .addColumn('task_id', 'text', (c) => c.primaryKey())
        .addColumn('node', 'text', (c) => c.notNull())
        .addColumn('run_id', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('stop_requested', 'integer', (c) => c.notNull()).execute();
      await db.schema.createTable('blob_marks')
        .addColumn('blob_store', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('marked_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('blob_marks_pk', ['blob_store', 'sha256']).execute();
    },
  },
  '0005-webhooks': {
    async up(db: Kysely<any>) {
      // Webhooks (events as a JSON list, repository null for a global one) and a bounded log of deliveries.
      await db.schema.createTable('webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('repository', 'text')
        .addColumn('secret', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull()).execute();
      await db.schema.createTable('webhook_deliveries')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('delivery_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('action', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull()).execute();
      await db.schema.createIndex('webhook_deliveries_webhook').on('webhook_deliveries').columns(['webhook_id', 'id']).execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
