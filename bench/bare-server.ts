// The baseline of the benchmark: a bare Express handler on the same machine (JSON body
// parsed, a JSON answer), spawned by bench/api.ts.
import express from 'express';

const app = express();
app.post('/v1/jobs', express.json(), (req, res) => void res.status(202).json({ id: 'j0', received: req.body }));
app.get('/v1/jobs/:id', (req, res) => void res.json({ id: req.params.id, state: 'queued' }));
const server = app.listen(0, '127.0.0.1', () => {
  process.send!({ ready: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
});
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'stop') server.close(() => process.exit(0));
});
