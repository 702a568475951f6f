import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** The cookie nginx routes on: its value names the node a browser stays on. */
export const NODE_COOKIE = "parley_node";

/** The nginx binary (NGINX, else PATH, else Debian's /usr/sbin); null when nginx is not installed. */
export function findNginx(): string | null {
  if (process.env.NGINX) return process.env.NGINX;
  for (const dir of (process.env.PATH ?? "").split(delimiter).concat("/usr/sbin", "/usr/local/sbin")) {
    const candidate = join(dir, "nginx");
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

export type Upstream = { name: string; port: number };

/**
 * nginx in front of Parley's nodes, in the foreground, with every path inside `prefix`.
 *
 * Stickiness by cookie: a request without `parley_node` is given a node at random and the
 * response sets the cookie, so every later request of that browser (Socket.IO's long-polling
 * fallback included) reaches the same node. Each node's upstream lists the others as backups:
 * when a node is down its clients reconnect through the same URL to another one.
 */
function nginxConfig(options: { port: number; prefix: string; nodes: Upstream[] }): string {
  const { port, prefix, nodes } = options;
  const share = (100 / nodes.length).toFixed(2);
  const upstreams = nodes.map(
    (node) => `  upstream parley_${node.name} {
    zone parley_${node.name} 64k;
    server 127.0.0.1:${node.port} max_fails=1 fail_timeout=2s;
${nodes
  .filter((other) => other !== node)
  .map((other) => `    server 127.0.0.1:${other.port} backup;`)
  .join("\n")}
  }`,
  );
  const known = nodes.map((node) => `    ${node.name} ${node.name};`).join("\n");
  const alreadySet = nodes.map((node) => `    ${node.name} "";`).join("\n");
  const picks = nodes.map((node, i) => `    ${i === nodes.length - 1 ? "*" : `${share}%`} ${node.name};`).join("\n");
  return `daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log stderr warn;

events {
  worker_connections 4096;
}

http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;

${upstreams.join("\n\n")}

  # A browser without a (known) node cookie gets a node at random.
  split_clients "\${remote_addr}\${remote_port}\${request_id}" $parley_assigned {
${picks}
  }
  map $cookie_${NODE_COOKIE} $parley_node {
${known}
    default $parley_assigned;
  }
  # An empty value adds no header: the cookie is set only when the browser has none.
  map $cookie_${NODE_COOKIE} $parley_set_cookie {
${alreadySet}
    default "${NODE_COOKIE}=$parley_assigned; Path=/; HttpOnly; SameSite=Lax";
  }
  map $http_upgrade $connection_upgrade {
    default upgrade;
    "" close;
  }

  server {
    listen 127.0.0.1:${port};

    location / {
      proxy_pass http://parley_$parley_node;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # A dead node refuses at once; a hung one is skipped after this long.
      proxy_connect_timeout 2s;
      # Socket.IO pings every 25 s, so an idle WebSocket is never cut.
      proxy_read_timeout 60s;
      add_header Set-Cookie $parley_set_cookie always;
    }
  }
}
`;
}

export type RunningNginx = { url: string; port: number; configFile: string; stop(): Promise<void> };

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** nginx in the foreground on 127.0.0.1:`port`, its config, pid and temp files in a temp directory. */
export async function startNginx(binary: string, options: { port: number; nodes: Upstream[] }): Promise<RunningNginx> {
  const prefix = await mkdtemp(join(tmpdir(), "parley-nginx-"));
  // As root, nginx's workers run as nobody and must reach their temp directories.
  await chmod(prefix, 0o755);
  const configFile = join(prefix, "nginx.conf");
  await writeFile(configFile, nginxConfig({ ...options, prefix }));
  let output = "";
  const child = spawn(binary, ["-e", "stderr", "-p", prefix, "-c", configFile], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    await rm(prefix, { recursive: true, force: true });
  };
  // nginx announces nothing when ready: it is once its port accepts connections.
  while (!(await accepts(options.port))) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`nginx exited with ${child.exitCode}: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `http://127.0.0.1:${options.port}`, port: options.port, configFile, stop };
}
