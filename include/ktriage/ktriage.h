/*
 * libktriage: kernel and Xen crash triage. Umbrella header.
 */
#ifndef KTRIAGE_H
#define KTRIAGE_H

#include <ktriage/error.h>
#include <ktriage/export.h>
#include <ktriage/limits.h>
#include <ktriage/input.h>
#include <ktriage/report.h>
#include <ktriage/hostfacts.h>
#include <ktriage/analyze.h>
#include <ktriage/summary.h>
#include <ktriage/host.h>
#include <ktriage/decode.h>
#include <ktriage/diagnose.h>
#include <ktriage/net.h>
#include <ktriage/probe.h>
#include <ktriage/store.h>

#define KT_VERSION_STRING "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* Library version ("0.1.0"). Static string. */
KT_API const char *kt_version(void);

#ifdef __cplusplus
}
#endif
#endif
