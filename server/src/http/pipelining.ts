import type { Socket } from "node:net";
import type { RequestHandler } from "express";

// Requests a connection may have waiting behind the one in progress; a deeper pipeline is cut off.
const MAX_WAITING = 16;

type Line = { busy: boolean; waiting: (() => void)[] };

/**
 * Handles one request per connection at a time. Node's HTTP server parses
 * pipelined requests ahead (all of a read chunk, hundreds of small ones) and
 * keeps every response that cannot be written yet in memory; it stops reading
 * only once the connection's write buffer is full. Starting the next request
 * once the previous response has been handed to the kernel ("finish") keeps
 * a connection that never reads down to one response in memory; the server's
 * idle timeout then drops it.
 */
export function oneRequestAtATime(): RequestHandler {
  const lines = new WeakMap<Socket, Line>();
  return (req, res, next) => {
    const socket = req.socket;
    let line = lines.get(socket);
    if (!line) {
      line = { busy: false, waiting: [] };
      lines.set(socket, line);
    }
    const current = line;
    const start = () => {
      current.busy = true;
      let done = false;
      const finished = () => {
        if (done) return;
        done = true;
        current.busy = false;
        // A closed connection's waiting requests have nobody to answer.
        if (socket.destroyed) current.waiting.length = 0;
        else current.waiting.shift()?.();
      };
      res.once("finish", finished);
      res.once("close", finished);
      next();
    };
    if (!current.busy) return start();
    if (current.waiting.length >= MAX_WAITING) {
      socket.destroy();
      return;
    }
    current.waiting.push(start);
  };
}
