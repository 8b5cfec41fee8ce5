// A real SMTP server for the e-mail tests (npm smtp-server on 127.0.0.1; messages parsed
// with mailparser), shared by tests/integration/email.test.mjs and
// tests/distributed/email.test.mjs.
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

// The SMTP server: records every accepted message per recipient; `plan` makes a recipient's
// next transactions fail with the given reply codes (at RCPT for 5yz, after DATA for 4yz).
// `login` {user, password}: the only AUTH it accepts (AUTH stays optional); `options`: more
// SMTPServer options (TLS: key, cert, secure).
export class Mailbox {
  constructor(options = {}, login = null) {
    this.options = options;
    this.login = login;
    this.messages = [];  // parsed, with .raw and .envelopeTo
    this.plans = new Map();
    this.attempts = new Map();  // recipient -> DATA transactions seen
  }

  plan(address, codes) { this.plans.set(address.toLowerCase(), [...codes]); }

  next(address) {
    const codes = this.plans.get(address.toLowerCase());
    return codes && codes.length ? codes.shift() : null;
  }

  async start() {
    const box = this;
    const fail = (code, text) => Object.assign(new Error(text), { responseCode: code });
    this.server = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,  // plain SMTP on loopback: AUTH PLAIN/LOGIN without TLS
      disabledCommands: this.options.key ? [] : ['STARTTLS'],
      ...this.options,
      logger: false,
      onAuth(auth, session, callback) {
        if (box.login && auth.username === box.login.user && auth.password === box.login.password) return callback(null, { user: auth.username });
        callback(fail(535, 'Authentication failed'));
      },
      onRcptTo(address, session, callback) {
        const codes = box.plans.get(address.address.toLowerCase());
        if (codes && codes.length && codes[0] >= 500) {
          return callback(fail(codes.shift(), 'No such user here'));
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks = [];
        stream.on('data', (c) => chunks.push(c));
        stream.on('end', async () => {
          const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
          for (const a of to) box.attempts.set(a, (box.attempts.get(a) || 0) + 1);
          const code = box.next(to[0]);
          if (code) return callback(fail(code, 'Try again later'));
          const raw = Buffer.concat(chunks);
          const parsed = await simpleParser(raw);
          parsed.raw = raw.toString('utf8');
          parsed.envelopeTo = to;
          parsed.authUser = session.user;
          parsed.secure = session.secure;
          box.messages.push(parsed);
          callback();
        });
      },
    });
    // A client that refuses our certificate ends its TLS handshake: an 'error' event here,
    // and exactly what one test wants to see.
    this.server.on('error', () => {});
    await new Promise((res) => this.server.listen(0, '127.0.0.1', res));
    this.port = this.server.server.address().port;
  }

  to(address) { return this.messages.filter((m) => m.envelopeTo.includes(address.toLowerCase())); }

  async stop() { await new Promise((res) => this.server.close(res)); }
}

