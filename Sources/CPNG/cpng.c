/* The PNG encoder: the only place libpng's setjmp/longjmp lives. Nothing here calls back into Swift,
   so a libpng error longjmps only across C frames of this file and comes back as an error code. */
#include "cpng.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t *data;
    size_t size, cap;
    int oom;
} membuf;

typedef struct {
    char *err;
    size_t errlen;
} errctx;

static void write_fn(png_structp png, png_bytep bytes, png_size_t n) {
    membuf *b = (membuf *)png_get_io_ptr(png);
    if (b->oom) return;
    if (b->size + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->size + n) cap *= 2;
        uint8_t *p = (uint8_t *)realloc(b->data, cap);
        if (!p) { b->oom = 1; return; }
        b->data = p; b->cap = cap;
    }
    memcpy(b->data + b->size, bytes, n);
    b->size += n;
}
static void flush_fn(png_structp png) { (void)png; }

static void error_fn(png_structp png, png_const_charp msg) {
    errctx *e = (errctx *)png_get_error_ptr(png);
    if (e && e->err && e->errlen) snprintf(e->err, e->errlen, "libpng: %s", msg);
    png_longjmp(png, 1);
}
static void warn_fn(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

static void set_err(char *err, size_t errlen, const char *msg) {
    if (err && errlen) snprintf(err, errlen, "%s", msg);
}

static int encode(const uint8_t *pixels, int width, int height, int color_type,
                  const uint8_t *palette_rgba, int n_colors, int zlevel,
                  uint8_t **out, size_t *out_size, char *err, size_t errlen) {
    if (!pixels || width <= 0 || height <= 0 || !out || !out_size) {
        set_err(err, errlen, "invalid arguments"); return TM_PNG_ERR_ARGS;
    }
    if (color_type == PNG_COLOR_TYPE_PALETTE && (!palette_rgba || n_colors < 1 || n_colors > 256)) {
        set_err(err, errlen, "palette must have 1..256 colours"); return TM_PNG_ERR_ARGS;
    }
    if (zlevel < 0 || zlevel > 9) zlevel = 1;
    errctx ectx = { err, errlen };
    membuf buf = { NULL, 0, 0, 0 };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ectx, error_fn, warn_fn);
    if (!png) { set_err(err, errlen, "png_create_write_struct failed"); return TM_PNG_ERR_NOMEM; }
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_write_struct(&png, NULL); set_err(err, errlen, "png_create_info_struct failed"); return TM_PNG_ERR_NOMEM; }
    png_bytep *rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(rows); free(buf.data);
        return TM_PNG_ERR_LIBPNG;
    }
    png_set_write_fn(png, &buf, write_fn, flush_fn);
    png_set_compression_level(png, zlevel);
    int bpp = 4;
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        bpp = 1;
        /* Filters do not help palette images; skip the filter search. */
        png_set_filter(png, 0, PNG_FILTER_NONE);
        png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_PALETTE,
                     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_color pal[256];
        png_byte trns[256];
        int last_trns = -1;
        for (int i = 0; i < n_colors; i++) {
            pal[i].red = palette_rgba[4 * i]; pal[i].green = palette_rgba[4 * i + 1];
            pal[i].blue = palette_rgba[4 * i + 2]; trns[i] = palette_rgba[4 * i + 3];
            if (trns[i] != 255) last_trns = i;
        }
        png_set_PLTE(png, info, pal, n_colors);
        if (last_trns >= 0) png_set_tRNS(png, info, trns, last_trns + 1, NULL);
    } else {
        png_set_filter(png, 0, PNG_FILTER_SUB);
        png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGBA,
                     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    }
    rows = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)height);
    if (!rows) { png_destroy_write_struct(&png, &info); set_err(err, errlen, "out of memory"); return TM_PNG_ERR_NOMEM; }
    for (int y = 0; y < height; y++) rows[y] = (png_bytep)(pixels + (size_t)y * (size_t)width * (size_t)bpp);
    png_set_rows(png, info, rows);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    if (buf.oom) { free(buf.data); set_err(err, errlen, "out of memory"); return TM_PNG_ERR_NOMEM; }
    *out = buf.data;
    *out_size = buf.size;
    return TM_PNG_OK;
}

int tm_png_encode_indexed(const uint8_t *indices, int width, int height,
                          const uint8_t *palette_rgba, int n_colors, int zlevel,
                          uint8_t **out, size_t *out_size, char *err, size_t errlen) {
    return encode(indices, width, height, PNG_COLOR_TYPE_PALETTE, palette_rgba, n_colors, zlevel,
                  out, out_size, err, errlen);
}

int tm_png_encode_rgba(const uint8_t *rgba, int width, int height, int zlevel,
                       uint8_t **out, size_t *out_size, char *err, size_t errlen) {
    return encode(rgba, width, height, PNG_COLOR_TYPE_RGBA, NULL, 0, zlevel, out, out_size, err, errlen);
}

int tm_png_decode_rgba(const uint8_t *data, size_t size, uint8_t **out, int *width, int *height,
                       char *err, size_t errlen) {
    if (!data || !size || !out || !width || !height) { set_err(err, errlen, "invalid arguments"); return TM_PNG_ERR_ARGS; }
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, size)) {
        set_err(err, errlen, image.message); return TM_PNG_ERR_LIBPNG;
    }
    image.format = PNG_FORMAT_RGBA;
    size_t n = PNG_IMAGE_SIZE(image);
    uint8_t *buf = (uint8_t *)malloc(n);
    if (!buf) { png_image_free(&image); set_err(err, errlen, "out of memory"); return TM_PNG_ERR_NOMEM; }
    if (!png_image_finish_read(&image, NULL, buf, 0, NULL)) {
        set_err(err, errlen, image.message); free(buf); png_image_free(&image); return TM_PNG_ERR_LIBPNG;
    }
    *out = buf; *width = (int)image.width; *height = (int)image.height;
    return TM_PNG_OK;
}

void tm_png_free(void *p) { free(p); }
