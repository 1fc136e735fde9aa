/**
 * The peer of the intake benchmark: a bare Fastify server that parses the same JSON body and
 * answers 202, with no auth, validation or ledger: the ceiling Medic's intake is compared with.
 */
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? '0');
const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
app.post('/v1/alerts/alertmanager', async (request, reply) =>
  reply.status(202).send({ status: 'accepted', size: JSON.stringify(request.body).length }),
);
const url = await app.listen({ port, host: '127.0.0.1' });
process.stderr.write(`peer listening on ${url}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
