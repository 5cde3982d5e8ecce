/*
 * net: a path-MTU probe result as JSON (jansson), for `ktriage net probe
 * --format json` and for `ktriage net audit --probe`. Field names are
 * stable; sizes are full IP packet sizes; absent values are null.
 */
#include "net/probe.h"

#include <jansson.h>

/* 0 means "none" in the result struct; JSON says null. */
static json_t *
int_or_null(int v)
{
	return v > 0 ? json_integer(v) : json_null();
}

static json_t *
str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *
step_json(const struct kt_probe_step *st)
{
	json_t *o = json_object();

	json_object_set_new(o, "size", json_integer(st->size));
	json_object_set_new(o, "outcome", json_string(kt_probe_outcome_name(st->outcome)));
	json_object_set_new(o, "attempts", json_integer(st->attempts));
	json_object_set_new(o, "rtt_ms", st->outcome == KT_PROBE_PASSED
						 ? json_real(st->rtt_us / 1000.0) : json_null());
	json_object_set_new(o, "hop_mtu", int_or_null(st->hop_mtu));
	json_object_set_new(o, "from", str_or_null(st->from));
	return o;
}

json_t *
kt_probe_result_to_json(const struct kt_probe_result *r)
{
	json_t *o = json_object();
	json_t *steps = json_array();

	json_object_set_new(o, "host", json_string(r->host));
	json_object_set_new(o, "address", str_or_null(r->addr));
	json_object_set_new(o, "family", json_string(kt_probe_family_name(r->family)));
	json_object_set_new(o, "method", json_string(kt_probe_method_name(r->method)));
	json_object_set_new(o, "interface", str_or_null(r->iface));
	json_object_set_new(o, "interface_mtu", int_or_null(r->iface_mtu));
	json_object_set_new(o, "route_mtu", int_or_null(r->route_mtu));
	json_object_set_new(o, "min", json_integer(r->min));
	json_object_set_new(o, "max", json_integer(r->max));
	json_object_set_new(o, "verdict", json_string(kt_probe_verdict_name(r->verdict)));
	json_object_set_new(o, "path_mtu", int_or_null(r->pmtu));
	json_object_set_new(o, "smallest_failed", int_or_null(r->smallest_failed));
	json_object_set_new(o, "black_hole", json_boolean(r->black_hole));
	json_object_set_new(o, "hop_mtu", int_or_null(r->hop_mtu));
	json_object_set_new(o, "hop_address", str_or_null(r->hop_addr));
	json_object_set_new(o, "expect", int_or_null(r->expect));
	json_object_set_new(o, "expect_ok", r->expect > 0 ? json_boolean(r->expect_ok)
							 : json_null());
	json_object_set_new(o, "probes_sent", json_integer(r->probes_sent));
	json_object_set_new(o, "elapsed_ms", json_real((double)r->elapsed_us / 1000.0));
	for (size_t i = 0; i < r->n_steps && i < KT_PROBE_MAX_STEPS; i++)
		json_array_append_new(steps, step_json(&r->steps[i]));
	json_object_set_new(o, "steps", steps);
	return o;
}
