import type { Readable } from 'node:stream';
import type { Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { type AttachmentStorage, safeContentType } from '../../attachments/index.js';

type StoredFile = { name: string; contentType: string; sha256: string };

/**
 * Sends `mail` with stored files attached, streamed from storage (a reply's, a forward's).
 * A file missing from storage fails the send before anything is sent; the streams are
 * closed whether the server took the mail or not. Markup goes as a download type, as
 * everywhere a stored file leaves (attachments/sniff.ts).
 */
export async function sendWithFiles(
  transport: Transporter,
  storage: AttachmentStorage | null,
  files: readonly StoredFile[],
  mail: Mail.Options,
): Promise<void> {
  const streams: Readable[] = [];
  try {
    const attachments: Mail.Attachment[] = [];
    for (const file of files) {
      const blob = storage ? await storage.open(file.sha256) : null;
      if (!blob) throw new Error(`attachment "${file.name}" is not in the attachment storage`);
      streams.push(blob.stream);
      attachments.push({ filename: file.name, contentType: safeContentType(file.contentType), content: blob.stream });
    }
    await transport.sendMail({ ...mail, attachments });
  } finally {
    for (const stream of streams) stream.destroy();
  }
}
