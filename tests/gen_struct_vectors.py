#!/usr/bin/env python3
"""Test vectors for SharedRegion's struct formats and encodings, from Python's own struct module
and codecs, written as a C header for tests/test_codecs.c. Run at build time; nothing generated
is committed.

Python's native mode ('@') is the build machine's (Linux: long is 8 bytes). SharedRegion's native
mode is the Windows DLL's: long is 4 bytes, and n, N and P are 4 or 8 bytes with the DLL's bitness.
For '@' formats the expected layout is therefore computed here, by writing the equivalent '<'
format with the Windows sizes and explicit pad bytes, and packing that; one case per bitness.
SharedRegion's 'Nw' (wchar_t[N]) is written as '2Ns' with the text in UTF-16.
"""
import random
import struct
import sys

rng = random.Random(20261201)

STD = {'x': 1, 'c': 1, 'b': 1, 'B': 1, '?': 1, 'h': 2, 'H': 2, 'i': 4, 'I': 4, 'l': 4, 'L': 4,
       'q': 8, 'Q': 8, 'e': 2, 'f': 4, 'd': 8, 's': 1, 'p': 1, 'w': 2}
# Windows native sizes per bitness; alignment is the size for every code (MSVC and mingw-w64 lay
# out double and long long on 8 bytes in structs on x86 too), 1 for x c s p ?, 2 for e and w.
def native_size(code, bits):
    if code in 'nNP':
        return bits // 8
    return STD[code]

def native_align(code, bits):
    if code in 'xcsp?':
        return 1
    if code == 'w':
        return 2
    return native_size(code, bits)

RANGES = {'b': (-128, 127), 'B': (0, 255), 'h': (-32768, 32767), 'H': (0, 65535),
          'i': (-2**31, 2**31 - 1), 'I': (0, 2**32 - 1), 'l': (-2**31, 2**31 - 1), 'L': (0, 2**32 - 1),
          'q': (-2**63, 2**63 - 1), 'Q': (0, 2**64 - 1)}

def int_range(code, bits):
    if code == 'n':
        return (-2**(bits - 1), 2**(bits - 1) - 1)
    if code in 'NP':
        return (0, 2**bits - 1)
    return RANGES[code]

# Python's equivalent code for a Windows native integer code.
def py_int_code(code, bits):
    if code in 'lL':
        return 'i' if code == 'l' else 'I'
    if code == 'n':
        return 'q' if bits == 64 else 'i'
    if code in 'NP':
        return 'Q' if bits == 64 else 'I'
    return code

ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.'

def rand_int(code, bits):
    lo, hi = int_range(code, bits)
    r = rng.random()
    if r < 0.15:
        return lo
    if r < 0.3:
        return hi
    if r < 0.4:
        return 0
    if r < 0.5 and hi > 2**53:
        return rng.choice([2**53, 2**53 + 1, -(2**53) - 1 if lo < 0 else 2**53 + 3, hi - 1])
    return rng.randint(lo, hi)

def rand_float(code):
    r = rng.random()
    if code == 'e':
        choices = [0.0, -0.0, 1.0, -2.5, 65504.0, -65504.0, 6.1e-05, 5.96e-08, 1e-08, 0.1, 3.14159,
                   float('inf'), float('-inf'), 65519.99]
        return rng.choice(choices) if r < 0.6 else rng.uniform(-60000, 60000)
    if code == 'f':
        choices = [0.0, -0.0, 1.0, 0.1, 3.4028234663852886e+38, -3.4028234663852886e+38, 1.401298464324817e-45,
                   1.1754943508222875e-38, 16777217.0, 1e-50, float('inf'), float('-inf'), 3.4028235677973366e+38,
                   3.4028235677973362e+38, 1.0000000596046448, 1.0000001788139343]
        return rng.choice(choices) if r < 0.5 else rng.uniform(-1e6, 1e6) * 10 ** rng.randint(-20, 20)
    choices = [0.0, -0.0, 1.7976931348623157e+308, 5e-324, 2.0**53, float('inf'), -1.5]
    return rng.choice(choices) if r < 0.4 else rng.uniform(-1e6, 1e6) * 10 ** rng.randint(-100, 100)

def rand_text(n):
    return ''.join(rng.choice(ASCII) for _ in range(n))

# ---- C output helpers ----

def c_wstr(s):
    units = struct.unpack('<%dH' % (len(s.encode('utf-16-le')) // 2), s.encode('utf-16-le'))
    return '(const WCHAR[]){' + ','.join(str(u) for u in units) + (',' if units else '') + '0}'

def c_bytes(b):
    return '(const BYTE[]){' + ','.join(str(x) for x in b) + (',' if b else '') + '0}'

def c_double(x):
    if x != x:
        return 'NAN'
    if x == float('inf'):
        return 'INFINITY'
    if x == float('-inf'):
        return '-INFINITY'
    return repr(float(x))

# A value: (kind, number, digits, text). Kinds: 'n' a number (exact double), 'D' an integer beyond
# 2^53 (exact, as digits), 'b' a Boolean, 's' a String.
def c_val(kind, num=0.0, digits=None, text=None):
    return '{ %r, %s, %s, %s, %d }' % (kind, c_double(num), ('"%s"' % digits) if digits is not None else 'NULL',
                                       c_wstr(text) if text is not None else 'NULL', len(text) if text is not None else 0)

def int_val(v):
    if abs(v) <= 2**53:
        return c_val('n', float(v))
    return c_val('D', 0.0, str(v))

def vt_of(code, v, bits):
    # n, N and P are the typed reads of their size: Int32 and UInt32 in a 32-bit DLL.
    if code == 'n' and bits == 32:
        return 'VT_I4'
    if code in 'NP' and bits == 32:
        return 'VT_R8'
    if code in 'bh':
        return 'VT_I2'
    if code == 'B':
        return 'VT_UI1'
    if code in 'Hil':
        return 'VT_I4'
    if code in 'IL':
        return 'VT_R8'
    if code in 'qQnNP':
        return 'VT_R8' if abs(v) <= 2**53 else 'VT_DECIMAL'
    if code in 'efd':
        return 'VT_R8'
    if code == '?':
        return 'VT_BOOL'
    return 'VT_BSTR'

# ---- one random format, with values, laid out by Python ----

def make_case(prefix, bits):
    native = prefix in ('', '@')
    codes = list('xcbB?hHiIlLqQefdspw') + (list('nNP') if native else [])
    parts = []
    for _ in range(rng.randint(1, 7)):
        code = rng.choice(codes)
        count = rng.choice([None, None, None, 0, 1, 2, 3, 5]) if code not in 'spw' else rng.choice([None, 0, 1, 4, 9])
        if code == 'p' and count == 0:
            # Python packs '0p' by writing a length byte of 255 into the byte after it (past the field);
            # SharedRegion writes nothing for an empty field. Tested by hand.
            count = 1
        parts.append((code, count))
    fmt = prefix
    for i, (code, count) in enumerate(parts):
        if i and rng.random() < 0.3:
            fmt += rng.choice([' ', '\t', '  '])
        fmt += ('' if count is None else str(count)) + code
    # Python's format and arguments for the same bytes.
    order = '>' if prefix in ('>', '!') else '<'
    py = order
    pyargs = []
    ins, outs, vts = [], [], []
    offset = 0
    for code, count in parts:
        n = 1 if count is None else count
        if native:
            a = native_align(code, bits)
            pad = (-offset) % a if offset else 0
            if pad:
                py += '%dx' % pad
                offset += pad
        size = native_size(code, bits) if native else STD[code]
        if code == 'x':
            py += '%dx' % n
        elif code in 'sp':
            text = rand_text(rng.randint(0, n + 2))
            py += '%d%s' % (n, code)
            pyargs.append(text.encode('ascii'))
            packed = struct.pack('<%d%s' % (n, code), text.encode('ascii'))
            got = struct.unpack('<%d%s' % (n, code), packed)[0] if (code == 's' or n) else b''
            if code == 's':
                got = got.split(b'\0')[0]
            ins.append(c_val('s', text=text))
            outs.append(c_val('s', text=got.decode('ascii')))
            vts.append('VT_BSTR')
        elif code == 'w':
            text = ''.join(rng.choice(ASCII + '\u00e9\u4e2d\u65e5\u0416') for _ in range(rng.randint(0, n + 2)))
            py += '%ds' % (2 * n)
            pyargs.append(text.encode('utf-16-be' if order == '>' else 'utf-16-le'))
            ins.append(c_val('s', text=text))
            outs.append(c_val('s', text=text[:n]))
            vts.append('VT_BSTR')
        else:
            for _ in range(n):
                if code == 'c':
                    ch = chr(rng.randint(0, 255))
                    pyargs.append(ch.encode('latin-1'))
                    ins.append(c_val('s', text=ch))
                    outs.append(c_val('s', text=ch))
                    vts.append('VT_BSTR')
                elif code == '?':
                    v = rng.choice([True, False, 0, 7, -1])
                    pyargs.append(bool(v))
                    ins.append(c_val('b', 1.0 if v is True else 0.0) if isinstance(v, bool) else c_val('n', float(v)))
                    outs.append(c_val('b', 1.0 if v else 0.0))
                    vts.append('VT_BOOL')
                elif code in 'efd':
                    while True:
                        v = rand_float(code)
                        try:
                            b = struct.pack('<' + code, v)
                            break
                        except (OverflowError, struct.error):
                            continue
                    pyargs.append(v)
                    ins.append(c_val('n', v))
                    outs.append(c_val('n', struct.unpack('<' + code, b)[0]))
                    vts.append('VT_R8')
                else:
                    v = rand_int(code, bits)
                    pyargs.append(v)
                    ins.append(int_val(v))
                    outs.append(int_val(v))
                    vts.append(vt_of(code, v, bits))
            py += '%d%s' % (n, py_int_code(code, bits) if code in 'lLnNP' else code)
        offset += n * size
    data = struct.pack(py, *pyargs)
    assert len(data) == offset == struct.calcsize(py), (fmt, py)
    return fmt, bits if native else 0, data, ins, outs, vts

cases = []
seen = set()
for prefix in ['', '@', '=', '<', '>', '!']:
    for _ in range(60):
        for bits in ([32, 64] if prefix in ('', '@') else [0]):
            c = make_case(prefix, bits if bits else 64)
            if (c[0], c[1]) in seen:
                continue
            seen.add((c[0], c[1]))
            cases.append(c)

# A few layouts by hand: the alignment rules at their edges.
hand = [
    ('@c0i', 64), ('@ci', 64), ('@cq', 32), ('@bd', 32), ('@hP', 32), ('@hP', 64), ('@bn', 64), ('@c e', 64),
    ('@3s w', 64), ('c q', 32),
]

# Formats Python rejects (struct.error): we answer E_INVALIDARG naming the position.
bad_formats = ['z', '2 h', '4', '<P', '=n', '>N', 'hh<', ' <h', 'h-', '3', 'i@', '<<h', 'h\u00e9', 'Z', 'hy', '1 2h']
for f in bad_formats:
    try:
        struct.calcsize(f.replace('w', '2s'))
        print('format %r is accepted by Python' % f, file=sys.stderr)
        sys.exit(1)
    except (struct.error, UnicodeEncodeError, OverflowError, ValueError):
        pass

# Values Python refuses to pack (struct.error or OverflowError): E_INVALIDARG, nothing written.
bad_packs = []
for fmt, vals in [('<h', [40000]), ('<h', [-32769]), ('<B', [256]), ('<b', [-129]), ('<H', [-1]), ('<I', [2**32]),
                  ('<i', [2**31]), ('<q', [2**63]), ('<q', [-2**63 - 1]), ('<Q', [2**64]), ('<Q', [-1]), ('>L', [2**32]),
                  ('<e', [65520.0]), ('<e', [1e10]), ('<f', [3.5e38]), ('<f', [-1e39]), ('<hh', [1]), ('<h', [1, 2]),
                  ('<2h', [1, 2, 3]), ('<x', [1]), ('<5s', [])]:
    try:
        struct.pack(fmt, *vals)
        print('pack %r %r is accepted by Python' % (fmt, vals), file=sys.stderr)
        sys.exit(1)
    except (struct.error, OverflowError):
        bad_packs.append((fmt, vals))

# Encodings: Python's codecs for the same text (characters every system's tables agree on).
enc_cases = []
for enc, pyenc, text in [('cp1252', 'cp1252', 'Caf\u00e9 \u20ac5 \u201cquoted\u201d \u00c5ngstr\u00f6m \u00fc\u00df'),
                         ('cp932', 'cp932', '\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 ABC \uff76\uff85'),
                         ('cp936', 'gbk', '\u4e2d\u6587\u6587\u672c abc \u4f60\u597d'),
                         ('latin-1', 'latin-1', 'Gr\u00fc\u00dfe \u00e0 \u00ff\u0080\u009f\u00a0'),
                         ('ascii', 'ascii', 'plain text 0123 ~'),
                         ('utf-8', 'utf-8', 'A\u00e9\u4e2d\U0001F600z'),
                         ('windows-1252', 'cp1252', '\u2122 \u0152uvre \u017d'),
                         ('cp1251', 'cp1251', '\u041f\u0440\u0438\u0432\u0435\u0442')]:
    enc_cases.append((enc, text, text.encode(pyenc)))
unencodable = []
for enc, pyenc, text in [('cp1252', 'cp1252', 'ab\u0100c'), ('cp1252', 'cp1252', 'x\u4e2d'), ('latin-1', 'latin-1', 'caf\u00e9\u20ac'),
                         ('ascii', 'ascii', 'na\u00efve'), ('cp932', 'cp932', 'ab\u00e9'), ('cp936', 'gbk', '\u4e2d\u6587\U0001F600'),
                         ('cp1251', 'cp1251', 'ok\u00e9')]:
    pos = None
    for i, ch in enumerate(text):
        try:
            ch.encode(pyenc)
        except UnicodeEncodeError:
            pos = i
            break
    assert pos is not None, (enc, text)
    # The position in UTF-16 code units, as a BSTR counts them.
    pos16 = len(text[:pos].encode('utf-16-le')) // 2
    unencodable.append((enc, text, pos16, ord(text[pos])))
undecodable = [('utf-8', b'ab\xc3('), ('utf-8', b'\xed\xa0\x80'), ('utf-8', b'\xf8\x88\x80\x80\x80'), ('utf-8', b'\xc0\xaf'),
               ('ascii', b'abc\xe9'), ('cp932', b'\x81')]
for enc, b in undecodable:
    try:
        b.decode({'cp932': 'cp932'}.get(enc, enc))
        print('%r decodes in %s' % (b, enc), file=sys.stderr)
        sys.exit(1)
    except UnicodeDecodeError:
        pass

# UTF-16: Python's strict utf-16-le codec says which bytes are valid (an odd byte count and an unpaired
# surrogate are not) and what text the valid ones hold. Code units are drawn so that surrogates (paired,
# alone, reversed, cut off at the end) are common; a tenth of the cases get an odd last byte.
urng = random.Random(1600)
def rand_unit():
    r = urng.random()
    if r < 0.3:
        return [ord(urng.choice(ASCII))]
    if r < 0.45:
        return [urng.choice([0x00e9, 0x4e2d, 0xfffd, 0xffff, 0xd7ff, 0xe000])]
    if r < 0.7:
        return [urng.randint(0xd800, 0xdbff), urng.randint(0xdc00, 0xdfff)]   # a pair
    if r < 0.85:
        return [urng.randint(0xd800, 0xdbff)]                                 # a high surrogate alone
    return [urng.randint(0xdc00, 0xdfff)]                                     # a low surrogate alone
utf16 = []
for _ in range(600):
    units = []
    for _ in range(urng.randint(0, 6)):
        units += rand_unit()
    data = struct.pack('<%dH' % len(units), *units)
    if urng.random() < 0.1:
        data += bytes([urng.randint(1, 255)])
    try:
        text = data.decode('utf-16-le')
        utf16.append((data, True, units))
        assert text.encode('utf-16-le') == data
    except UnicodeDecodeError:
        utf16.append((data, False, units))

def c_units(units):
    return '(const WCHAR[]){' + ','.join(str(u) for u in units) + (',' if units else '') + '0}'

out = [
    '/* Generated by tests/gen_struct_vectors.py from Python %s\'s struct module and codecs. */' % sys.version.split()[0],
    'struct vval { char kind; double num; const char *digits; const WCHAR *text; UINT len; };',
    'struct vcase { const WCHAR *format; int bits; SIZE_T size; const BYTE *bytes; ULONG count;',
    '               const struct vval *in; const struct vval *out; const VARTYPE *vts; };',
    'static const struct vcase vcases[] = {',
]
for fmt, bits, data, ins, outs, vts in cases:
    out.append('  { %s, %d, %d, %s, %d,\n    (const struct vval[]){ %s },\n    (const struct vval[]){ %s },\n'
               '    (const VARTYPE[]){ %s } },'
               % (c_wstr(fmt), bits, len(data), c_bytes(data), len(ins), ', '.join(ins) or c_val('n'),
                  ', '.join(outs) or c_val('n'), ', '.join(vts) or '0'))
out.append('};')

# Sizes of the hand-written layouts.
def native_calcsize(fmt, bits):
    body = fmt[1:] if fmt and fmt[0] == '@' else fmt
    offset = 0
    i = 0
    while i < len(body):
        if body[i].isspace():
            i += 1
            continue
        j = i
        while body[j].isdigit():
            j += 1
        n = int(body[i:j]) if j > i else 1
        code = body[j]
        a = native_align(code, bits)
        if offset % a:
            offset += a - offset % a
        offset += n * native_size(code, bits)
        i = j + 1
    return offset
out.append('static const struct { const WCHAR *format; int bits; SIZE_T size; } vsizes[] = {')
for fmt, bits in hand:
    out.append('  { %s, %d, %d },' % (c_wstr(fmt), bits, native_calcsize(fmt, bits)))
out.append('};')

out.append('static const WCHAR *const vbad_formats[] = {')
for f in bad_formats:
    out.append('  %s,' % c_wstr(f))
out.append('};')

out.append('struct vbad_pack { const WCHAR *format; ULONG count; const struct vval *in; };')
out.append('static const struct vbad_pack vbad_packs[] = {')
for fmt, vals in bad_packs:
    vv = [int_val(v) if isinstance(v, int) else c_val('n', v) for v in vals]
    out.append('  { %s, %d, (const struct vval[]){ %s } },' % (c_wstr(fmt), len(vals), ', '.join(vv) or c_val('n')))
out.append('};')

out.append('static const struct { const char *encoding; const WCHAR *text; UINT len; const BYTE *bytes; SIZE_T n; } venc[] = {')
for enc, text, b in enc_cases:
    out.append('  { "%s", %s, %d, %s, %d },' % (enc, c_wstr(text), len(text.encode('utf-16-le')) // 2, c_bytes(b), len(b)))
out.append('};')
out.append('static const struct { const char *encoding; const WCHAR *text; UINT len; UINT pos; UINT ch; } vunenc[] = {')
for enc, text, pos, ch in unencodable:
    out.append('  { "%s", %s, %d, %d, 0x%X },' % (enc, c_wstr(text), len(text.encode('utf-16-le')) // 2, pos, ch))
out.append('};')
out.append('static const struct { const char *encoding; const BYTE *bytes; SIZE_T n; } vundec[] = {')
for enc, b in undecodable:
    out.append('  { "%s", %s, %d },' % (enc, c_bytes(b), len(b)))
out.append('};')

out.append('/* bytes, their count, whether Python decodes them, and the code units they hold (an odd last byte')
out.append(' * is not among them) */')
out.append('static const struct { const BYTE *bytes; SIZE_T n; int valid; const WCHAR *units; UINT len; } vutf16[] = {')
for data, valid, units in utf16:
    out.append('  { %s, %d, %d, %s, %d },' % (c_bytes(data), len(data), 1 if valid else 0, c_units(units), len(units)))
out.append('};')

with open(sys.argv[1], 'w') as fh:
    fh.write('\n'.join(out) + '\n')
