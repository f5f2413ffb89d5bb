/* mail.h: sending one plain-text e-mail.
 *
 * With smtp_url set, the message goes to that SMTP server through libcurl (STARTTLS when
 * the server offers it, smtps:// for implicit TLS). Without it, the message is written as an
 * .eml file to <data>/outbox/ (atomically: temp file, fsync, rename), so that a single-machine
 * install loses no mail and an operator can read or forward it. Callers run this from a job
 * (mail.send): a failure is retried by the queue. */
#ifndef MS_MAIL_H
#define MS_MAIL_H

#include "core/config.h"
#include "core/error.h"

int ms_mail_send(const ms_config *cfg, const char *to, const char *subject, const char *text,
                 ms_error *err);
/* The full RFC 5322 message (headers + body), malloc'd; for tests. */
char *ms_mail_compose(const char *from, const char *to, const char *subject, const char *text,
                      const char *message_id, const char *date);

#endif
