/*
 * libFuzzer target for the decode stage: random Code: bytes (as parser bytes
 * and as raw text), registers, fault fields, taint text and page-table walk
 * go through kt_decode_run(). Not registered in meson; build with e.g.
 *   clang -fsanitize=fuzzer,address -Iinclude -Isrc -I/usr/include/capstone \
 *     tests/fuzz/fuzz_decode.c build/src/decode/libkt_decode.a ... -lcapstone -ldw -lelf
 * Input layout: byte 0 arch, byte 1 kind, byte 2 marker offset, byte 3 flags,
 * then 8 registers (8 bytes each), then the rest split in half: code bytes,
 * and text used for Code: raw / Tainted / page table.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <ktriage/error.h>
#include <ktriage/limits.h>
#include <ktriage/report.h>

#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t
u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "RAX", "RSI", "R08", "CR2", "EFLAGS", "CR0", "CR4",
					     "x8" };
	struct kt_ctx *ctx;
	struct kt_report *r;
	size_t rest, ncode;
	char *text;

	if (size < 4 + 8 * 8)
		return 0;
	ctx = kt_ctx_new();
	r = kt_report_new();
	r->arch = (enum kt_arch)(data[0] % KT_ARCH_COUNT);
	r->kind = (enum kt_kind)(data[1] % KT_KIND_COUNT);
	r->regs = kt_report_alloc(r, 8 * sizeof(*r->regs));
	for (size_t i = 0; i < 8; i++) {
		r->regs[i].name = names[i];
		r->regs[i].value = u64(data + 4 + 8 * i);
	}
	r->n_regs = 8;
	r->fault.present = r->fault.has_address = data[3] & 1;
	r->fault.address = r->regs[3].value;
	r->fault.has_error_code = data[3] & 2;
	r->fault.error_code = r->regs[0].value & 0xffffffff;
	r->ip.segment = (data[3] & 4) ? "e030" : NULL;
	rest = size - (4 + 8 * 8);
	ncode = rest / 2 < KT_MAX_CODE_BYTES ? rest / 2 : KT_MAX_CODE_BYTES;
	r->code.bytes = kt_report_alloc(r, ncode + 1);
	memcpy(r->code.bytes, data + 4 + 64, ncode);
	r->code.n = ncode;
	r->code.fault_offset = ncode ? (int)(data[2] % ncode) : KT_NONE;
	text = kt_report_alloc(r, rest - ncode + 1);
	memcpy(text, data + 4 + 64 + ncode, rest - ncode);
	if (data[3] & 8)
		r->code.raw = text;
	r->kernel.tainted = text;
	r->fault.page_table = (data[3] & 16) ? text : NULL;
	r->panic = (data[3] & 32) ? "Fatal exception in interrupt" : NULL;
	r->header = text;
	(void)kt_decode_run(ctx, r, NULL);
	kt_report_free(r);
	kt_ctx_free(ctx);
	return 0;
}
