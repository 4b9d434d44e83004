/*
 * SharedRegion server: the codecs between script values and the bytes of shared memory.
 *
 * Three concerns, one file each, none of which touches a span, a mapping or a kernel object:
 *   values.c     numbers: the fixed-size little-endian types (int8 ... uint64, float32, double)
 *                to and from VARIANTs, with the range rules of the contract; and the list of
 *                values in a script array (Variant(), typed SAFEARRAY, JScript array object).
 *   text.c       encodings: "utf-8", "utf-16", "ansi", "oem", "ascii", "latin-1", "cpNNN".
 *   structfmt.c  Python's struct format language (plus SharedRegion's Nw), parsed once and cached.
 * data.c (the data members) checks offsets and bounds, copies bytes under the span's lock, and
 * hands the bytes to these functions. Every failure sets the error information through sr_error
 * with the method's name, so the caller just returns the HRESULT.
 */
#ifndef SHAREDREGION_CODEC_H
#define SHAREDREGION_CODEC_H

/* ---- values.c ---- */
enum sr_type
{
    SR_INT8, SR_UINT8, SR_INT16, SR_UINT16, SR_INT32, SR_UINT32, SR_INT64, SR_UINT64,
    SR_SINGLE, SR_DOUBLE, SR_TYPE_COUNT
};

/* ReadArray/WriteArray's type argument: a name ("Int16", "Single", ...), a struct code ("h", "f", ...)
 * or a DataType number from the IDL. */
HRESULT value_parse_type(const WCHAR *method, REFIID iid, const VARIANT *arg, enum sr_type *type);
SIZE_T value_type_size(enum sr_type type);
const WCHAR *value_type_name(enum sr_type type);   /* "Int16" */

/* Bytes at src (little-endian, any alignment) as a script value, VariantInit'ed by the callee:
 * int8/int16 VT_I2, uint8 VT_UI1, uint16/int32 VT_I4, uint32 VT_R8, int64/uint64 VT_R8 when the
 * magnitude is at most 2^53 else an exact VT_DECIMAL, single VT_R8 (widened exactly), double VT_R8. */
void value_decode(enum sr_type type, const BYTE *src, VARIANT *out);
void value_from_int64(LONGLONG v, VARIANT *out);
void value_from_uint64(ULONGLONG v, VARIANT *out);

/* A script value (by value or one level VT_BYREF) stored as type at dst. Integers: a whole number in
 * range as any numeric VARIANT, a Decimal, VT_I8/VT_UI8, or a string of decimal digits; single: round
 * to nearest even, a finite value beyond float32's range is an error, NaN and infinities are kept.
 * `what` names the value in the message ("value", "element 3", "field 2 ('h')"); the message names
 * the method, the value and the allowed range. Nothing is written to dst on failure. */
HRESULT value_encode(const WCHAR *method, const WCHAR *what, REFIID iid, enum sr_type type, const VARIANT *v,
                     BYTE *dst);
/* The same for a double argument (the scalar writes that take a double). */
HRESULT value_encode_double(const WCHAR *method, const WCHAR *what, REFIID iid, enum sr_type type, double v,
                            BYTE *dst);
/* 64-bit integers from a script value, for callers that need the number itself. */
HRESULT value_to_int64(const WCHAR *method, const WCHAR *what, REFIID iid, const VARIANT *v, LONGLONG *out);
HRESULT value_to_uint64(const WCHAR *method, const WCHAR *what, REFIID iid, const VARIANT *v, ULONGLONG *out);

/* The elements of a script array: a SAFEARRAY of any numeric/variant/string type (by value or by
 * reference, one dimension), or a JScript array object (its "length", then "0", "1", ...).
 * values_open checks its shape; a SAFEARRAY stays locked, and is read where it lies, until values_close.
 * `expect` is what the messages say the argument must be when it is not an array or its elements have
 * no numeric type (WriteBytes: "a Byte() array or an array of numbers 0..255"); NULL words it for any
 * array. A JScript array's elements are read into VARIANTs there, at most SR_MAX_ITEMS of them. */
struct sr_array
{
    ULONG count;             /* elements */
    LONG lower;              /* the caller's first index (a SAFEARRAY's lower bound), for messages */
    VARIANT *items;          /* a JScript array's elements; NULL for a SAFEARRAY */
    SAFEARRAY *sa;           /* a SAFEARRAY, accessed (locked) until values_close */
    const BYTE *data;
    VARTYPE vt;              /* its element type */
    ULONG size;              /* bytes per element */
};
HRESULT values_open(const WCHAR *method, const WCHAR *what, REFIID iid, const VARIANT *arg, const WCHAR *expect,
                    struct sr_array *a);
/* Element k (0 .. count - 1) as a VARIANT of its own, which the caller clears. */
HRESULT values_item(const WCHAR *method, const WCHAR *what, REFIID iid, const struct sr_array *a, ULONG k,
                    VARIANT *out);
void values_close(struct sr_array *a);
/* Every element of an open array as a HeapAlloc'ed array of a->count VARIANTs (NULL when empty), freed
 * with values_free(*items, a->count); more than SR_MAX_ITEMS is refused. */
HRESULT values_take(const WCHAR *method, const WCHAR *what, REFIID iid, struct sr_array *a, VARIANT **items);
/* values_open, values_take and values_close in one: *items holds *count VARIANTs (copies the caller frees
 * with values_free); NULL when empty. */
HRESULT values_collect(const WCHAR *method, const WCHAR *what, REFIID iid, const VARIANT *arg, VARIANT **items,
                       ULONG *count);
void values_free(VARIANT *items, ULONG count);

/* ---- text.c ---- */
struct sr_encoding
{
    UINT codepage;           /* CP_UTF8, 1200 for utf-16, 20127 ascii, 28591 latin-1, CP_ACP's value ... */
    UINT unit;               /* bytes per code unit: 2 for utf-16, else 1 (the width of the terminator) */
    const WCHAR *name;       /* as the script user wrote it, for messages */
};
/* An optional encoding argument (missing: utf-8), or a name. */
HRESULT text_parse_encoding(const WCHAR *method, REFIID iid, const VARIANT *arg, struct sr_encoding *enc);
HRESULT text_parse_encoding_name(const WCHAR *method, REFIID iid, const WCHAR *name, struct sr_encoding *enc);
/* n bytes (no terminator search: the caller cut them) to a new BSTR. Bytes that are not valid in the
 * encoding: SR_E_BADENCODING naming the method, the encoding and `offset` (where the bytes were). */
HRESULT text_decode(const WCHAR *method, REFIID iid, const struct sr_encoding *enc, const BYTE *bytes, SIZE_T n,
                    ULONGLONG offset, BSTR *out);
/* chars UTF-16 code units to bytes in the encoding, in a HeapAlloc'ed buffer with `extra` zero bytes
 * after them (room for a terminator); *n excludes the extra bytes. A character the encoding cannot
 * hold: SR_E_BADENCODING naming it and its position, never a silent '?'. */
HRESULT text_encode(const WCHAR *method, REFIID iid, const struct sr_encoding *enc, const WCHAR *text, UINT chars,
                    SIZE_T extra, BYTE **out, SIZE_T *n);

/* ---- fieldnames.c: named fields (name:code) over the struct language ---- */
struct sr_field
{
    WCHAR *name;
    ULONGLONG first;         /* its first value's place among Unpack's values */
    ULONGLONG values;        /* how many of Unpack's values it takes */
    BOOL array;              /* a count of numbers ("4f"): one field holding an array */
};
struct sr_fieldnames
{
    WCHAR *plain;            /* the format without its names, for the struct parser */
    BOOL named;              /* at least one field has a name */
    ULONG count;             /* named fields */
    struct sr_field field[1];
};
/* need_names (ReadRecord): every field but x padding must have a name. */
HRESULT fieldnames_parse(const WCHAR *method, REFIID iid, const WCHAR *format, BOOL need_names,
                         struct sr_fieldnames **out);
void fieldnames_free(struct sr_fieldnames *names);

/* ---- structfmt.c ---- */
struct sr_format;            /* a parsed format; immutable, shared from the cache */
/* Parse (or find in the cache) a format; the result is valid until format_release. */
HRESULT format_parse(const WCHAR *method, REFIID iid, const WCHAR *format, struct sr_format **out);
void format_release(struct sr_format *f);
/* Frees the cache of parsed formats: DllMain's real-unload path only (never at process exit). */
void format_cache_free(void);
ULONGLONG format_size(const struct sr_format *f);  /* struct.calcsize: at most SR_MAX_COUNT */
ULONG format_fields(const struct sr_format *f);    /* values Unpack returns and Pack takes */
/* Can Unpack return this format's fields (at most SR_MAX_ITEMS)? For a caller that must know before it
 * copies the bytes; format_unpack checks it again. */
HRESULT format_unpack_check(const WCHAR *method, REFIID iid, const struct sr_format *f);
/* format_size(f) bytes to a 0-based Variant() of format_fields(f) elements (*out VariantInit'ed). */
HRESULT format_unpack(const WCHAR *method, REFIID iid, const struct sr_format *f, const BYTE *bytes,
                      const struct sr_encoding *enc, VARIANT *out);
/* values (format_fields(f) of them) to format_size(f) bytes at out; out is untouched on failure. */
HRESULT format_pack(const WCHAR *method, REFIID iid, const struct sr_format *f, const VARIANT *values, ULONG count,
                    const struct sr_encoding *enc, BYTE *out);

#endif /* SHAREDREGION_CODEC_H */
