import { Fragment, useEffect, useState } from 'react';

interface Mail {
  id: number;
  to: string;
  subject: string;
  text: string;
  kind: string;
  sentAt: string;
}

/**
 * The notes API's development mailbox (`GET /api/dev/mailbox`): the mails it would have sent,
 * links clickable. The API serves it only with its development mailer, never in production.
 */
export function Mailbox() {
  const [mails, setMails] = useState<Mail[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    fetch('/api/dev/mailbox')
      .then(async (res) => {
        if (!res.ok) throw new Error(`${res.status}`);
        setMails(((await res.json()) as { mails: Mail[] }).mails);
      })
      .catch(() => setError('No dev mailbox here: the API sends real mail (or is not running).'));
  }, []);

  return (
    <section>
      <h1>Dev mailbox</h1>
      {error && <p role="alert">{error}</p>}
      {mails?.length === 0 && <p>No mail yet.</p>}
      {mails?.map((mail) => (
        <article key={mail.id} className="mail" data-kind={mail.kind} data-to={mail.to}>
          <h2>{mail.subject}</h2>
          <p className="hint">
            To {mail.to}, {new Date(mail.sentAt).toLocaleTimeString()}
          </p>
          <pre>
            <Linkified text={mail.text} />
          </pre>
        </article>
      ))}
    </section>
  );
}

/** The text with its http(s) URLs as links. */
function Linkified({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/\S+)/);
  return parts.map((part, i) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed text, never reordered
    <Fragment key={i}>{i % 2 === 1 ? <a href={part}>{part}</a> : part}</Fragment>
  ));
}
