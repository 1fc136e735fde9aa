// drizzle-kit's settings: generates SQL migrations from schema.ts into ./migrations.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/service/ledger/schema.ts',
  out: './src/service/ledger/migrations',
});
