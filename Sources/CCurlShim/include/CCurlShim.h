#ifndef INTAKE_CCURL_SHIM_H
#define INTAKE_CCURL_SHIM_H

#include <curl/curl.h>
#include <stddef.h>

// Swift cannot call C variadic functions, so every curl_easy_setopt / curl_easy_getinfo
// shape Intake uses gets a typed, non-variadic wrapper here.

typedef size_t (*intake_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*intake_curl_xferinfo_cb)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                       curl_off_t ultotal, curl_off_t ulnow);

CURLcode intake_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode intake_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode intake_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode intake_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode intake_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode intake_curl_setopt_write_function(CURL *handle, intake_curl_data_cb callback);
CURLcode intake_curl_setopt_header_function(CURL *handle, intake_curl_data_cb callback);
CURLcode intake_curl_setopt_read_function(CURL *handle, intake_curl_data_cb callback);
CURLcode intake_curl_setopt_xferinfo_function(CURL *handle, intake_curl_xferinfo_cb callback);

CURLcode intake_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode intake_curl_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode intake_curl_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode intake_curl_getinfo_string(CURL *handle, CURLINFO info, const char **value);

CURLMcode intake_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value);

#endif
