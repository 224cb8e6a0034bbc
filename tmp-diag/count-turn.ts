// throwaway diagnostic: round trips of one simple turn
import { spawn } from 'node:child_process';
import { startHarness, Chat, newPsid } from '../tests/integration/bot/bot-harness.js';
const prefix = `{diag-${process.pid}}`;
const h = await startHarness({ queuePrefix: prefix, ownDatabase: true });
const chat = new Chat(h, newPsid());
await chat.say('help'); // warm: customer row exists
await chat.say('help');
const mon = spawn('redis-cli', ['monitor']);
let redisLines: string[] = [];
mon.stdout.on('data', (d) => { redisLines.push(...d.toString().split('\n').filter((l: string) => l.includes(prefix) || l.includes('evalsha') || l.includes('multi') || l.includes('exec'))); });
await new Promise((r) => setTimeout(r, 300));
const { execSync } = await import('node:child_process');
execSync(`mysql -uroot -e "set global general_log_file='/tmp/diag-general.log'; set global general_log=1"`);
const t0 = Date.now();
const which = process.argv[2] ?? 'help';
if (which === 'shop') await chat.postback('SHOP'); else await chat.say(which);
execSync(`mysql -uroot -e "set global general_log=0"`);
await new Promise((r) => setTimeout(r, 300));
mon.kill();
console.log('replies', chat.replies().length, 'ms', Date.now() - t0);
console.log('REDIS', redisLines.length); console.log(redisLines.map((l) => l.replace(/^[\d.]+ \[[^\]]+\] /, '').slice(0, 140)).join('\n'));
await h.close();
process.exit(0);
