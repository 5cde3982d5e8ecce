/*
 * parse/fields: the Code: bytes around the faulting instruction (x86
 * "Code: 25 c7 ... <f3> a4", arm/arm64 words "Code: d503201f (b9400021)",
 * Thumb halfwords, Xen "Xen code around" and ppc "Instruction dump:").
 * Bytes are stored in memory order (see KT_FX_CODE_LE in fields.h), the
 * marked unit's index in fault_offset, the text as printed in raw. Nothing
 * is disassembled here (decode stage). Reference: oops-format.md §7.
 */
#include "parse/fields.h"

#include <ktriage/limits.h>

static void
code_token(struct kt_fx *fx, struct kt_str tok, int endian, bool *stop)
{
	struct kt_code *c = &fx->r->code;
	bool marked = false, opcode = false;
	uint64_t v;
	size_t width;

	if (tok.len >= 2 && ((tok.p[0] == '<' && tok.p[tok.len - 1] == '>') ||
			     (tok.p[0] == '(' && tok.p[tok.len - 1] == ')'))) {
		marked = true;
		opcode = tok.p[0] == '<';
		tok = kt_str_sub(tok, 1, tok.len - 2);
	}
	width = tok.len / 2;
	if ((tok.len != 2 && tok.len != 4 && tok.len != 8) ||
	    kt_parse_hex(tok, &v) != tok.len) {
		*stop = true;	/* "Bad", "Unable", "????????": no more bytes */
		return;
	}
	if (c->n + width > KT_MAX_CODE_BYTES) {
		kt_report_note(fx->r, fx->no, KT_SEV_WARN, "Code: line longer than %d bytes, cut",
			       KT_MAX_CODE_BYTES);
		*stop = true;
		return;
	}
	if (marked && c->fault_offset == KT_NONE) {
		c->fault_offset = (int)c->n;
		c->fault_is_opcode = opcode;
	}
	for (size_t i = 0; i < width; i++) {
		size_t shift = endian == KT_FX_CODE_BE ? (width - 1 - i) * 8 : i * 8;

		c->bytes[c->n++] = (uint8_t)(v >> shift);
	}
}

void
kt_fx_add_code_words(struct kt_fx *fx, struct kt_str text)
{
	struct kt_code *c = &fx->r->code;
	struct kt_str s = kt_str_trim(text), tok;
	bool stop = false;

	if (!c->bytes)
		c->bytes = kt_report_alloc(fx->r, KT_MAX_CODE_BYTES);
	c->raw = c->raw ? kt_report_printf(fx->r, "%s %.*s", c->raw, (int)s.len, s.p)
			: kt_fx_strdup(fx, s);
	while (!stop && (tok = kt_fx_token(&s)).len)
		code_token(fx, tok, KT_FX_CODE_BE, &stop);
}

void
kt_fx_set_code(struct kt_fx *fx, struct kt_str text, int endian)
{
	struct kt_code *c = &fx->r->code;
	struct kt_str s = kt_str_trim(text), tok;
	bool stop = false;

	if (c->raw && c->n)
		return;		/* the first Code: line with bytes wins */
	c->n = 0;
	c->fault_offset = KT_NONE;
	c->fault_is_opcode = false;
	if (!c->bytes)
		c->bytes = kt_report_alloc(fx->r, KT_MAX_CODE_BYTES);
	c->raw = kt_fx_strdup(fx, s);
	while (!stop && (tok = kt_fx_token(&s)).len)
		code_token(fx, tok, endian, &stop);
	if (c->n == 0)
		kt_report_note(fx->r, fx->no, KT_SEV_INFO, "Code: line without bytes");
}
