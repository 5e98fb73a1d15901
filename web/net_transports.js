// The browser's network transports behind guest sockets: a WebSocket relay (binary frames, as
// websockify speaks them) and fetch(). Each reports to a "sink" object:
//   websocket: sink.feed(bytes), sink.end(), sink.fail(message), sink.ready() (room to send again);
//   fetch:     sink.head(status, reason, headers), sink.body(bytes) -> false pauses until resume(),
//              sink.end(), sink.failed(message).
// The worker uses them directly under JSPI (pywasi_web/browser/transports.py: the sinks are Python). A
// worker that blocks in Atomics.wait runs no event loop, so the page runs them for it (SocketRelay in
// web/pywasi.js: the sinks write into the shared channel).

const describe = (error) => String(error && error.message || error);

export const transports = {
  // Resolves with a handle once the WebSocket is open; rejects with a message if it never opens.
  websocket(url, sink, timeoutMs, pollMs) {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(url, ["binary"]);
      } catch (error) {
        reject(new Error(describe(error)));
        return;
      }
      ws.binaryType = "arraybuffer";
      let open = false, live = true, poll = null;
      const opening = setTimeout(() => {
        if (open) return;
        detach();
        reject(new Error(`no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const detach = () => {
        live = false;
        clearTimeout(poll);
        ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
        ws.close();
      };
      const handle = {
        // after a close the failure has reached (or is on its way to) the sink: drop the bytes
        send(data) { if (ws.readyState === WebSocket.OPEN) ws.send(data); },
        backlog() { return ws.bufferedAmount; },
        watch(limit) {
          if (poll !== null) return;
          const check = () => {
            poll = null;
            if (!live) return;
            if (ws.bufferedAmount < limit || ws.readyState !== WebSocket.OPEN) sink.ready();
            else poll = setTimeout(check, pollMs);
          };
          poll = setTimeout(check, pollMs);
        },
        close: detach,
      };
      ws.onopen = () => {
        open = true;
        clearTimeout(opening);
        resolve(handle);
      };
      ws.onmessage = (event) => {
        if (typeof event.data !== "string") {
          sink.feed(new Uint8Array(event.data));
          return;
        }
        detach();  // not a byte stream relay: the connection is dropped
        sink.fail("the relay sent a text frame");
      };
      ws.onclose = (event) => {
        live = false;
        clearTimeout(poll);
        if (!open) {
          clearTimeout(opening);
          reject(new Error(`the relay refused the connection or is unreachable (close code ${event.code})`));
        } else if (event.code === 1000) {
          sink.end();
        } else {
          const reason = event.reason ? `: ${event.reason}` : "";
          sink.fail(`the relay closed the connection (code ${event.code}${reason})`);
        }
      };
    });
  },
  // One request; the outcome goes to sink.head/body/end/failed. body() returning false pauses the
  // body until resume(). cancel() aborts and silences the sink.
  fetch(method, url, headers, body, sink) {
    const controller = new AbortController();
    let live = true, resume = null;
    const wake = () => {
      const pending = resume;
      resume = null;
      if (pending) pending();
    };
    const init = { method, headers, credentials: "omit", redirect: "error", cache: "no-store",
                   signal: controller.signal };
    if (body.length) init.body = body;
    (async () => {
      let response;
      try {
        response = await fetch(url, init);
      } catch (error) {
        if (live) sink.failed(describe(error));
        return;
      }
      if (!live) return;
      sink.head(response.status, response.statusText, Array.from(response.headers));
      try {
        if (response.body) {
          const reader = response.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (!live) return;
            if (done) break;
            if (!sink.body(value)) await new Promise((resolve) => (resume = resolve));
            if (!live) return;
          }
        }
      } catch (error) {
        if (live) sink.failed(describe(error));
        return;
      }
      if (live) sink.end();
    })();
    return {
      resume: wake,
      cancel() {
        live = false;
        controller.abort();
        wake();
      },
    };
  },
};
