#ifndef TASKMAP_CFREETYPE_SHIM_H
#define TASKMAP_CFREETYPE_SHIM_H
#include <ft2build.h>
#include FT_FREETYPE_H
/* FT_LOAD_RENDER and friends are macros Swift imports as Int32 constants; FT_HAS_KERNING is a macro function. */
static inline int tm_ft_has_kerning(FT_Face face) { return FT_HAS_KERNING(face) ? 1 : 0; }
#endif
