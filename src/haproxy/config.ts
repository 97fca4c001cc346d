import { z } from 'zod';

/** The `haproxy:` section of opsdeck.yaml. Owned by the haproxy area. */
export const haproxyConfigSchema = z
  .object({
    /** The recipe's "default config": a full haproxy.cfg whose pool backends have no server lines. */
    template: z.string().optional(),
    /** The live haproxy.cfg that sync replaces atomically. */
    configPath: z.string().default('/etc/haproxy/haproxy.cfg'),
    /** Backends opsdeck fills with one server line per discovered instance. */
    backends: z.array(z.string().regex(/^[A-Za-z0-9_.:-]+$/)).min(1).default(['www_farm']),
    /**
     * Port per pool: backend -> the port its servers listen on, where it is not
     * fleet.port. An instance's fleet.portTag still wins over both.
     */
    backendPorts: z.record(z.string(), z.number().int().min(1).max(65535)).optional(),
    /** Options appended to every server line. */
    serverOptions: z.string().default('check maxconn 200'),
    binary: z.string().default('haproxy'),
    reload: z
      .discriminatedUnion('method', [
        z.object({ method: z.literal('master-cli'), masterSocket: z.string() }),
        z.object({ method: z.literal('signal'), pidFile: z.string() }),
        z.object({ method: z.literal('command'), command: z.string() }),
      ])
      .default({ method: 'master-cli', masterSocket: '/run/haproxy-master.sock' }),
    /** Stats socket with `level admin` (runtime API). */
    runtimeSocket: z.string().default('/run/haproxy/admin.sock'),
    serverStateFile: z.string().optional(),
    backupDir: z.string().optional(),
    keepBackups: z.number().int().min(1).default(10),
    maxRemoveFraction: z.number().min(0).max(1).default(0.5),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    for (const name of Object.keys(cfg.backendPorts ?? {})) {
      if (!cfg.backends.includes(name)) {
        ctx.addIssue({ code: 'custom', path: ['backendPorts', name], message: `"${name}" is not one of haproxy.backends (${cfg.backends.join(', ')})` });
      }
    }
  });
export type HaproxyConfig = z.infer<typeof haproxyConfigSchema>;
