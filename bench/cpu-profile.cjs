// Preloaded with NODE_OPTIONS="--require bench/cpu-profile.cjs" (node 20 refuses --cpu-prof there):
// samples this process's CPU from its start and writes $CPU_PROFILE_DIR/CPU.0.0.<pid>.0.001.cpuprofile
// when it exits (process.exit after SIGTERM included), the file name node's own --cpu-prof would use.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
process.on('exit', () => {
  // The session runs on this thread: post() answers synchronously, so this works in an exit handler.
  session.post('Profiler.stop', (err, res) => {
    if (!err) writeFileSync(join(process.env.CPU_PROFILE_DIR, `CPU.0.0.${process.pid}.0.001.cpuprofile`), JSON.stringify(res.profile));
  });
});
