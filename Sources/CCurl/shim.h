#ifndef QUARRY_CCURL_SHIM_H
#define QUARRY_CCURL_SHIM_H
// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic, which Swift cannot call.
// These typed wrappers are the only way Quarry reaches them.
#include <curl/curl.h>

typedef size_t (*quarry_curl_write_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode quarry_curl_easy_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode quarry_curl_easy_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode quarry_curl_easy_setopt_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode quarry_curl_easy_setopt_pointer(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode quarry_curl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode quarry_curl_easy_setopt_write_cb(CURL *h, CURLoption o, quarry_curl_write_cb v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode quarry_curl_easy_setopt_closesocket_cb(CURL *h, curl_closesocket_callback v) {
    return curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, v);
}
static inline CURLcode quarry_curl_easy_getinfo_long(CURL *h, CURLINFO i, long *out) {
    return curl_easy_getinfo(h, i, out);
}
static inline CURLcode quarry_curl_easy_getinfo_double(CURL *h, CURLINFO i, double *out) {
    return curl_easy_getinfo(h, i, out);
}
static inline CURLcode quarry_curl_easy_getinfo_off_t(CURL *h, CURLINFO i, curl_off_t *out) {
    return curl_easy_getinfo(h, i, out);
}
static inline CURLcode quarry_curl_easy_getinfo_pointer(CURL *h, CURLINFO i, void **out) {
    return curl_easy_getinfo(h, i, out);
}
static inline CURLMcode quarry_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) {
    return curl_multi_setopt(m, o, v);
}
static inline CURLMcode quarry_curl_multi_setopt_pointer(CURLM *m, CURLMoption o, void *v) {
    return curl_multi_setopt(m, o, v);
}
static inline CURLMcode quarry_curl_multi_setopt_socket_cb(CURLM *m, curl_socket_callback v) {
    return curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, v);
}
static inline CURLMcode quarry_curl_multi_setopt_timer_cb(CURLM *m, curl_multi_timer_callback v) {
    return curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, v);
}

#if defined(__linux__)
// QuarryHTTP drives libcurl's socket interface from an epoll set woken through an eventfd. Swift's
// Glibc module does not export these two headers, and CCurl is imported only by QuarryHTTP.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
#endif
