import { loadConfig } from '../config.js';
import { migrate } from './migrate.js';

try {
  const config = loadConfig();
  const applied = await migrate(config.DATABASE_URL, (m) => console.log(m));
  console.log(applied.length ? `${applied.length} migration(s) applied` : 'database is up to date');
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
