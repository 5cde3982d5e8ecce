/*
 * host: HTTP uploads to `ktriage serve` (POST /api/v1/uploads, /facts,
 * /heartbeat; headers Authorization: Bearer, X-Ktriage-Host,
 * X-Ktriage-Source, X-Ktriage-Pool, X-Ktriage-Kernel). libcurl (https://curl.se/libcurl/c/) does HTTP/1.1,
 * TLS, proxies and timeouts; one easy handle per call keeps it simple, and
 * an upload every few minutes does not need connection reuse.
 */
#include <ktriage/host.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef KT_HAVE_CURL
#include <curl/curl.h>
#endif

#include "util/str.h"

#define MAX_REPLY (1u << 20)

#ifdef KT_HAVE_CURL
static size_t
on_data(char *p, size_t size, size_t n, void *ud)
{
	struct kt_buf *b = ud;
	size_t len = size * n;

	if (b->len + len > MAX_REPLY)
		return len;	/* keep the start; the rest is not needed */
	kt_buf_add(b, p, len);
	return len;
}
#endif

static int post(struct kt_ctx *ctx, const struct kt_http_opts *o, const char *path,
		const char *source, const char *content_type, const void *body, FILE *file,
		size_t len, long *ret_status, char **ret_reply);

int
kt_http_post(struct kt_ctx *ctx, const struct kt_http_opts *o, const char *path,
	     const char *source, const char *content_type, const void *body, size_t len,
	     long *ret_status, char **ret_reply)
{
	return post(ctx, o, path, source, content_type, body, NULL, len, ret_status, ret_reply);
}

int
kt_http_post_file(struct kt_ctx *ctx, const struct kt_http_opts *o, const char *path,
		  const char *source, const char *content_type, const char *file,
		  long *ret_status, char **ret_reply)
{
	FILE *f = fopen(file, "rb");
	long size;
	int rc;

	if (!f)
		return kt_error(ctx, KT_EIO, "opening '%s': %s", file, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return kt_error(ctx, KT_EIO, "reading '%s': %s", file, strerror(errno));
	}
	rc = post(ctx, o, path, source, content_type, NULL, f, (size_t)size, ret_status, ret_reply);
	fclose(f);
	return rc;
}

static int
post(struct kt_ctx *ctx, const struct kt_http_opts *o, const char *path, const char *source,
     const char *content_type, const void *body, FILE *file, size_t len, long *ret_status,
     char **ret_reply)
{
#ifdef KT_HAVE_CURL
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct kt_buf reply;
	char url[2048], line[512];
	CURLcode cc;
	long status = 0;

	if (!c)
		return kt_error(ctx, KT_ENOMEM, "curl_easy_init failed");
	snprintf(url, sizeof(url), "%s%s%s", o->url,
		 o->url[0] && o->url[strlen(o->url) - 1] == '/' ? path + 1 : path, "");
	kt_buf_init(&reply);
	if (o->token) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", o->token);
		h = curl_slist_append(h, line);
	}
	if (o->host) {
		snprintf(line, sizeof(line), "X-Ktriage-Host: %s", o->host);
		h = curl_slist_append(h, line);
	}
	if (source) {
		snprintf(line, sizeof(line), "X-Ktriage-Source: %s", source);
		h = curl_slist_append(h, line);
	}
	if (o->pool) {
		snprintf(line, sizeof(line), "X-Ktriage-Pool: %s", o->pool);
		h = curl_slist_append(h, line);
	}
	if (o->kernel) {
		snprintf(line, sizeof(line), "X-Ktriage-Kernel: %s", o->kernel);
		h = curl_slist_append(h, line);
	}
	snprintf(line, sizeof(line), "Content-Type: %s",
		 content_type ? content_type : "application/octet-stream");
	h = curl_slist_append(h, line);
	h = curl_slist_append(h, "Expect:");	/* no 100-continue round trip */
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	if (file) {	/* streamed: the body is never held in memory */
		curl_easy_setopt(c, CURLOPT_READDATA, file);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->timeout_s > 0 ? o->timeout_s : 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_s > 0 ? 6 * o->timeout_s : 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "ktriage-agent");
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		kt_buf_deinit(&reply);
		return kt_error(ctx, KT_EIO, "POST %s: %s", url, curl_easy_strerror(cc));
	}
	*ret_status = status;
	if (ret_reply) {
		if (!reply.p)
			kt_buf_adds(&reply, "");
		*ret_reply = reply.p;
	} else {
		kt_buf_deinit(&reply);
	}
	return 0;
#else
	(void)o; (void)path; (void)source; (void)content_type; (void)body; (void)len; (void)file;
	(void)ret_status; (void)ret_reply;
	return kt_error(ctx, KT_EUNSUPPORTED, "built without libcurl: no uploads");
#endif
}
