/* The palette-PNG fast path: libpng's writer deflates with zlib only, and zlib was 36% of a heat tile's render
   time. This writes the same PNG (8-bit palette, filter 0 on every row, tRNS trimmed to the last non-opaque entry)
   with its zlib stream made by libdeflate, a library made for fast one-shot deflate. The container is the five
   chunks of the PNG specification (IHDR, PLTE, tRNS, IDAT, IEND), each with libdeflate's CRC-32; everything is
   decoded again by libpng in the tests. No setjmp here: errors are return codes. */
#include "cpng.h"
#include <libdeflate.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }

/* Appends a chunk (length, type, data, CRC over type + data) at *pos; the caller sized `out`. */
static size_t chunk(uint8_t *out, size_t pos, const char *type, const uint8_t *data, size_t n) {
    put32(out + pos, (uint32_t)n);
    memcpy(out + pos + 4, type, 4);
    if (n) memcpy(out + pos + 8, data, n);
    uint32_t crc = libdeflate_crc32(0, out + pos + 4, 4 + n);
    put32(out + pos + 8 + n, crc);
    return pos + 12 + n;
}

/* One compressor per thread and level (allocating one costs more than compressing a tile), freed when the
   thread ends. */
static pthread_key_t compressors_key;
static pthread_once_t compressors_once = PTHREAD_ONCE_INIT;
static void free_compressors(void *p) {
    struct libdeflate_compressor **cs = (struct libdeflate_compressor **)p;
    for (int i = 0; i < 13; i++) if (cs[i]) libdeflate_free_compressor(cs[i]);
    free(cs);
}
static void make_key(void) { pthread_key_create(&compressors_key, free_compressors); }
static struct libdeflate_compressor *compressor(int level) {
    pthread_once(&compressors_once, make_key);
    struct libdeflate_compressor **cs = (struct libdeflate_compressor **)pthread_getspecific(compressors_key);
    if (!cs) {
        cs = (struct libdeflate_compressor **)calloc(13, sizeof *cs);
        if (!cs || pthread_setspecific(compressors_key, cs) != 0) { free(cs); return NULL; }
    }
    if (!cs[level]) cs[level] = libdeflate_alloc_compressor(level);
    return cs[level];
}

int tm_png_encode_indexed_fast(const uint8_t *indices, int width, int height,
                               const uint8_t *palette_rgba, int n_colors, int level,
                               uint8_t **out, size_t *out_size, char *err, size_t errlen) {
    if (!indices || width <= 0 || height <= 0 || !out || !out_size || !palette_rgba || n_colors < 1 || n_colors > 256) {
        if (err && errlen) snprintf(err, errlen, "invalid arguments");
        return TM_PNG_ERR_ARGS;
    }
    if (level < 1 || level > 12) level = 1;
    struct libdeflate_compressor *c = compressor(level);
    if (!c) { if (err && errlen) snprintf(err, errlen, "out of memory"); return TM_PNG_ERR_NOMEM; }

    /* Raw scanlines: a filter byte (0, none: filters do not help palette images) before each row. */
    size_t raw_n = (size_t)height * ((size_t)width + 1);
    uint8_t *raw = (uint8_t *)malloc(raw_n);
    size_t bound = libdeflate_zlib_compress_bound(c, raw_n);
    size_t cap = 8 + 25 + (12 + 768) + (12 + 256) + (12 + bound) + 12;
    uint8_t *png = (uint8_t *)malloc(cap);
    if (!raw || !png) { free(raw); free(png); if (err && errlen) snprintf(err, errlen, "out of memory"); return TM_PNG_ERR_NOMEM; }
    for (int y = 0; y < height; y++) {
        uint8_t *row = raw + (size_t)y * ((size_t)width + 1);
        row[0] = 0;
        memcpy(row + 1, indices + (size_t)y * (size_t)width, (size_t)width);
    }

    static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
    memcpy(png, signature, 8);
    size_t pos = 8;
    uint8_t ihdr[13];
    put32(ihdr, (uint32_t)width); put32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 3;  /* colour type: palette */
    ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;  /* deflate, adaptive filtering, no interlace */
    pos = chunk(png, pos, "IHDR", ihdr, 13);
    uint8_t plte[768], trns[256];
    int last_trns = -1;
    for (int i = 0; i < n_colors; i++) {
        plte[3 * i] = palette_rgba[4 * i]; plte[3 * i + 1] = palette_rgba[4 * i + 1]; plte[3 * i + 2] = palette_rgba[4 * i + 2];
        trns[i] = palette_rgba[4 * i + 3];
        if (trns[i] != 255) last_trns = i;
    }
    pos = chunk(png, pos, "PLTE", plte, (size_t)n_colors * 3);
    if (last_trns >= 0) pos = chunk(png, pos, "tRNS", trns, (size_t)last_trns + 1);
    /* IDAT: compress straight into the chunk's data area, then write its header and CRC around it. */
    size_t zn = libdeflate_zlib_compress(c, raw, raw_n, png + pos + 8, bound);
    free(raw);
    if (zn == 0) { free(png); if (err && errlen) snprintf(err, errlen, "libdeflate: output buffer too small"); return TM_PNG_ERR_NOMEM; }
    put32(png + pos, (uint32_t)zn);
    memcpy(png + pos + 4, "IDAT", 4);
    put32(png + pos + 8 + zn, libdeflate_crc32(0, png + pos + 4, 4 + zn));
    pos += 12 + zn;
    pos = chunk(png, pos, "IEND", NULL, 0);
    *out = png;
    *out_size = pos;
    return TM_PNG_OK;
}
