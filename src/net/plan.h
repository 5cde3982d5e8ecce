/*
 * net (internal): what plan_build.c, plan_render.c and plan_apply.c share.
 */
#ifndef KT_NET_PLAN_H
#define KT_NET_PLAN_H

#include <jansson.h>

#include <ktriage/net.h>

/* The plan as a jansson object (new reference). */
json_t *kt_net_plan_to_json(const struct kt_net_plan *plan);
/* A plan from such an object. Returns 0 or KT_EFORMAT. */
int kt_net_plan_from_jobj(struct kt_ctx *ctx, json_t *j, struct kt_net_plan **ret);

#endif
