/*
 * diag.c — diagnostics of the front end: `file:line:col: error: ...`, the source line and a
 * caret under the column, then an optional hint. Messages accumulate in a Diag so that
 * several independent errors of one file are reported together; repeats are dropped and
 * the list is capped at DIAG_MAX.
 */
#include "dsl.h"

#include <string.h>

static void show_line(StrBuf *b, SrcLoc loc) {
  if (!loc.file || loc.line <= 0) return;
  const char *p = loc.file->text;
  for (int l = 1; l < loc.line && *p; p++)
    if (*p == '\n') l++;
  const char *end = strchr(p, '\n');
  int n = end ? (int)(end - p) : (int)strlen(p);
  sb_printf(b, "  %.*s\n  ", n, p);
  for (int i = 1; i < loc.col && i <= n; i++) sb_puts(b, p[i - 1] == '\t' ? "\t" : " ");
  sb_puts(b, "^\n");
}

/* True if `head` (an error's first line) starts a line of the text already written. */
static bool shown_before(const Diag *d, const char *head) {
  for (const char *p = d->text.s; p && (p = strstr(p, head)); p++)
    if (p == d->text.s || p[-1] == '\n') return true;
  return false;
}

static void vreport(Diag *d, SrcLoc loc, const char *kind, const char *fmt, va_list ap) {
  d->nerrors++;
  StrBuf head = {0};
  if (loc.file && loc.line > 0)
    sb_printf(&head, "%s:%d:%d: %s: ", loc.file->name, loc.line, loc.col, kind);
  else if (loc.file)
    sb_printf(&head, "%s: %s: ", loc.file->name, kind);
  else
    sb_printf(&head, "%s: ", kind);
  sb_vprintf(&head, fmt, ap);
  sb_puts(&head, "\n");
  /* the same error again (a helper inlined twice, an unrolled loop body) says nothing new */
  bool repeat = shown_before(d, head.s);
  d->hidden = repeat || d->nshown >= DIAG_MAX;
  if (!d->hidden) {
    d->nshown++;
    d->notes = 0;
    sb_puts(&d->text, head.s);
    show_line(&d->text, loc);
  } else if (!repeat && d->nshown == DIAG_MAX) {
    d->nshown++; /* the notice is written once */
    sb_printf(&d->text, "too many errors: only the first %d are shown\n", DIAG_MAX);
  }
  sb_free(&head);
}

void diag_verror(Diag *d, SrcLoc loc, const char *fmt, va_list ap) { vreport(d, loc, "error", fmt, ap); }

void diag_error(Diag *d, SrcLoc loc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport(d, loc, "error", fmt, ap);
  va_end(ap);
}

void diag_unsupported(Diag *d, SrcLoc loc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  d->unsupported = true;
  vreport(d, loc, "error", fmt, ap);
  va_end(ap);
}

void diag_hint(Diag *d, const char *fmt, ...) {
  if (d->hidden) return;
  va_list ap;
  va_start(ap, fmt);
  sb_puts(&d->text, "  hint: ");
  sb_vprintf(&d->text, fmt, ap);
  sb_puts(&d->text, "\n");
  va_end(ap);
}

void diag_note(Diag *d, const char *fmt, ...) {
  if (d->hidden || ++d->notes > 3) return; /* the innermost callers say enough */
  va_list ap;
  va_start(ap, fmt);
  sb_puts(&d->text, "  note: ");
  sb_vprintf(&d->text, fmt, ap);
  sb_puts(&d->text, "\n");
  va_end(ap);
}
