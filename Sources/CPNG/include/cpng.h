#ifndef TASKMAP_CPNG_H
#define TASKMAP_CPNG_H
#include <stddef.h>
#include <stdint.h>

/* Return codes. 0 is success; every failure carries a message in `err`. */
enum { TM_PNG_OK = 0, TM_PNG_ERR_ARGS = 1, TM_PNG_ERR_LIBPNG = 2, TM_PNG_ERR_NOMEM = 3 };

/* Encode an 8-bit palette image (one byte per pixel indexing `palette_rgba`, n_colors <= 256, 4 bytes each).
   Transparency is written as a tRNS chunk trimmed to the last non-opaque entry.
   On success *out is malloc'ed (free with tm_png_free) and *out_size is its length. */
int tm_png_encode_indexed(const uint8_t *indices, int width, int height,
                          const uint8_t *palette_rgba, int n_colors, int zlevel,
                          uint8_t **out, size_t *out_size, char *err, size_t errlen);

/* The same palette PNG with its zlib stream made by libdeflate (`level` 1–12) instead of libpng's zlib: the fast
   path for tiles. */
int tm_png_encode_indexed_fast(const uint8_t *indices, int width, int height,
                               const uint8_t *palette_rgba, int n_colors, int level,
                               uint8_t **out, size_t *out_size, char *err, size_t errlen);

/* Encode straight (non-premultiplied) RGBA8. */
int tm_png_encode_rgba(const uint8_t *rgba, int width, int height, int zlevel,
                       uint8_t **out, size_t *out_size, char *err, size_t errlen);

/* Decode any PNG to straight RGBA8 (libpng's simplified API). *out is malloc'ed. */
int tm_png_decode_rgba(const uint8_t *png, size_t size, uint8_t **out, int *width, int *height,
                       char *err, size_t errlen);

void tm_png_free(void *p);
#endif
