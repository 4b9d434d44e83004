// SharedRegion: the JScript suite, run by cscript in CTest (tests/scripting.cmake).
// Exercises every member of ISharedRegion and ISharedView from JScript: binding calls,
// properties, bytes (JScript arrays, Byte() read back through VBArray), strings, typed access,
// fill and flush, views, the lock and the signal (with a second cscript process), OpenFile on a
// temporary file, and the errors with their exact numbers and descriptions.
//
// JScript's e.number is a signed 32-bit value: compare (e.number >>> 0) with the HRESULT.
// Prints "SKIP: ..." for each check that this JScript engine cannot carry out (with the reason
// it found), and ends with "RESULT: N passed, N failed, N skipped"; the harness fails the test
// without that line. A skipped check is never counted as passed.
//
// Run as "suite.js hold-lock NAME" it is the helper process of the lock test (see holdLock).

var passed = 0, failed = 0, skipped = 0;

function echo(s) { WScript.Echo(s); }

function check(ok, what) {
    if (ok) passed++;
    else { failed++; echo("FAIL: " + what); }
}

function skip(what, reason) {
    skipped++;
    echo("SKIP: " + what + " -- " + reason);
}

function hex(n) { return (n >>> 0).toString(16).toUpperCase(); }

// f() must throw exactly num; desc is the exact description, or with prefix = true its start.
function expectError(f, num, desc, what, prefix) {
    var e = null;
    try { f(); } catch (ex) { e = ex; }
    if (!e) { check(false, what + ": no error was raised"); return null; }
    check((e.number >>> 0) === num, what + ": error number " + hex(num) + " expected, got " + hex(e.number) + " (" + e.message + ")");
    var ok = prefix ? e.message.substr(0, desc.length) === desc : e.message === desc;
    check(ok, what + ": description " + (prefix ? "starting " : "") + "'" + desc + "' expected, got '" + e.message + "'");
    check(e.description === e.message, what + ": e.description equals e.message");
    return e;
}

var E_INVALIDARG = 0x80070057, E_ACCESSDENIED = 0x80070005;
var ERR_FILE_NOT_FOUND = 0x80070002;        // HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)
var ERR_ALREADY_EXISTS = 0x800700B7;        // HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS)
var ERR_NOT_OWNER = 0x80070120;             // HRESULT_FROM_WIN32(ERROR_NOT_OWNER)
var DISP_E_TYPEMISMATCH = 0x80020005;
var SR_E_NOTOPEN = 0x80040201, SR_E_ALREADYOPEN = 0x80040202, SR_E_NOTMAPPED = 0x80040203;
var SR_E_EMPTYFILE = 0x80040204, SR_E_BADENCODING = 0x80040205;
var JS_E_VBARRAY_EXPECTED = 0x800A1395;     // "VBArray object expected"
var GIB = 1073741824;
var NOT_OPEN = ": the region is not open (call Create, Open, OpenOrCreate or OpenFile first)";

// A pause that works in every host: an anonymous region's private event is never signalled.
var pauser = new ActiveXObject("SharedRegion.Region");
pauser.Create("", 1);
function pause(ms) { pauser.WaitSignal(ms); }

// ---- the helper process of the lock test ----
// Opens the region, takes its lock, says so in byte 0, waits for Signal, records in byte 1 that
// the signal arrived, and exits still holding the lock (so the lock is abandoned).
function holdLock(name) {
    var h = new ActiveXObject("SharedRegion.Region");
    h.Open(name);
    if (h.Lock(10000)) h.WriteByte(0, 1);
    if (h.WaitSignal(20000)) h.WriteByte(1, 1);
    WScript.Quit(0);
}
if (WScript.Arguments.length === 2 && WScript.Arguments(0) === "hold-lock") holdLock(WScript.Arguments(1));

var stem = "sr-js-suite-" + new Date().getTime() + "-" + Math.floor(Math.random() * 1000000);
var r, r2, v, v2, b, x, n, i, t, name, fso, path, f;

// ==== binding calls and properties ====
name = stem + "-a";
r = new ActiveXObject("SharedRegion.Region");
check(r.IsOpen === false, "a new object is closed (IsOpen false)");
check(r.Size === 0, "a closed object's Size is 0");
check(r.Name === "", "a closed object's Name is empty");
r.Create(name, 65536);
check(r.IsOpen === true, "IsOpen after Create");
check(r.Size === 65536, "Size after Create is 65536, got " + r.Size);
check(typeof r.Size === "number", "Size is a number");
check(r.Name === "Local\\" + name, "Name has the Local\\ prefix: " + r.Name);
check(r.Created === true, "Created after Create");
check(r.Access === 0, "Access of a created region is 0 (ReadWrite)");
check(r.FilePath === "", "FilePath of a page-file region is empty");
check(r.LockAbandoned === false, "LockAbandoned starts false");

expectError(function () { r.Create(name, 4096); }, SR_E_ALREADYOPEN,
            "Create: this object already has a region open (Local\\" + name + "); call Close first", "Create on an open object");
r2 = new ActiveXObject("SharedRegion.Region");
expectError(function () { r2.Create(name, 4096); }, ERR_ALREADY_EXISTS,
            "Create: a region named 'Local\\" + name + "' already exists; Create never opens an existing name (use Open or OpenOrCreate)",
            "Create of an existing name");
check(r2.IsOpen === false, "a failed Create leaves the object closed");

r2.Open(name);
check(r2.IsOpen && !r2.Created, "Open: open, not created");
check(r2.Access === 0, "Open with access left out is ReadWrite");
r2.WriteInt32(12, 77);
check(r.ReadInt32(12) === 77, "a write through one object is seen through the other");
r2.Close();
r2.Close();
check(r2.IsOpen === false, "Close, twice, leaves the object closed");

r2.Open("Local\\" + name, 1);
check(r2.Access === 1, "Open(name, 1) gives Access 1 (ReadOnly)");
expectError(function () { r2.WriteByte(0, 9); }, E_ACCESSDENIED, "WriteByte: the region is read-only", "WriteByte on a read-only region");
check(r.ReadByte(0) === 0, "the refused write changed nothing");
r2.Close();

expectError(function () { r2.Open(stem + "-missing"); }, ERR_FILE_NOT_FOUND,
            "Open: no region named 'Local\\" + stem + "-missing' exists", "Open of a missing name");
expectError(function () { r2.Open(name, 7); }, E_INVALIDARG,
            "Open: access 7 is not 0 (ReadWrite), 1 (ReadOnly) or 2 (CopyOnWrite)", "Open with a bad access");
expectError(function () { r2.Create("a\\b", 4096); }, E_INVALIDARG, "Create:", "Create with a backslash in the name", true);
expectError(function () { r2.Create("", 0); }, E_INVALIDARG, "Create: size must be at least 1 byte", "Create of 0 bytes");
expectError(function () { r2.Create("", -4096); }, E_INVALIDARG, "Create: size -4096 is negative", "Create of -4096 bytes");
expectError(function () { r2.Create("", 0 / 0); }, E_INVALIDARG, "Create: size is NaN; it must be a whole number from 0 to 2^53", "Create of NaN bytes");

check(r2.OpenOrCreate(stem + "-ooc", 4096) === true, "OpenOrCreate creates a new name (true)");
check(r2.Created === true, "Created after OpenOrCreate created");
v = new ActiveXObject("SharedRegion.Region");
check(v.OpenOrCreate(stem + "-ooc", 4096) === false, "OpenOrCreate opens an existing name (false)");
check(v.Created === false, "Created is false after OpenOrCreate opened");
v.Close();
r2.Close();
r2.Create(stem + "-sddl", 4096, "D:P(A;;GA;;;OW)");
check(r2.IsOpen, "Create with an sddl");
r2.Close();
expectError(function () { r2.Create(stem + "-badsddl", 4096, "not an sddl"); }, E_INVALIDARG,
            "Create: sddl 'not an sddl' is not a valid security descriptor string", "Create with a bad sddl", true);
r2.Create("", 4096);
check(r2.Name === "", "an anonymous region has no Name");
r2.Close();

// ==== bytes ====
// A JScript array literal into WriteBytes (JScript passes its arrays as objects).
r.WriteBytes(200, [1, 2, 3, 255, 0, 128]);
check(r.ReadByte(200) === 1 && r.ReadByte(201) === 2 && r.ReadByte(202) === 3 && r.ReadByte(203) === 255 &&
      r.ReadByte(204) === 0 && r.ReadByte(205) === 128, "WriteBytes from the array literal [1, 2, 3, 255, 0, 128]");
var big = [];
for (i = 0; i < 1000; i++) big.push((i * 7) & 255);
r.WriteBytes(5000, big);
check(r.ReadByte(5000) === 0 && r.ReadByte(5001) === 7 && r.ReadByte(5999) === ((999 * 7) & 255), "WriteBytes of a 1000-element array");
r.WriteBytes(310, []);
check(r.ReadByte(310) === 0, "WriteBytes of an empty array writes nothing");

// Byte() from ReadBytes back into WriteBytes.
b = r.ReadBytes(200, 6);
r.WriteBytes(300, b);
check(r.ReadByte(300) === 1 && r.ReadByte(301) === 2 && r.ReadByte(302) === 3 && r.ReadByte(303) === 255 &&
      r.ReadByte(304) === 0 && r.ReadByte(305) === 128, "Byte() from ReadBytes written back with WriteBytes");

// Reading a Byte() in JScript: new VBArray(x).toArray().
x = null;
try { x = new VBArray(b).toArray(); } catch (e) {
    if ((e.number >>> 0) === JS_E_VBARRAY_EXPECTED)
        skip("new VBArray(ReadBytes(200, 6)).toArray()",
             "this JScript engine's VBArray accepts only Variant arrays, not Byte() (error " + hex(e.number) + ": " + e.message + ")");
    else check(false, "new VBArray(ReadBytes(...)) failed: " + hex(e.number) + " " + e.message);
}
if (x !== null) {
    check(x.length === 6, "toArray() has 6 elements, got " + x.length);
    check(x.join(",") === "1,2,3,255,0,128", "toArray() holds the bytes: " + x.join(","));
    try {
        var vb = new VBArray(r.ReadBytes(0, 3));
        check(vb.dimensions() === 1 && vb.lbound(1) === 0 && vb.ubound(1) === 2, "VBArray bounds of ReadBytes(0, 3)");
    } catch (e) { check(false, "VBArray bounds: " + hex(e.number) + " " + e.message); }
}

expectError(function () { r.ReadBytes(70000, 16); }, E_INVALIDARG,
            "ReadBytes: offset 70000 + count 16 is past the end of the region (65536 bytes)", "ReadBytes past the end");
expectError(function () { r.WriteBytes(400, [1, 2, 300]); }, E_INVALIDARG,
            "WriteBytes: element 2 of data is 300, not a whole number 0..255", "WriteBytes with 300 in the array");
check(r.ReadByte(400) === 0, "the refused WriteBytes wrote nothing");
expectError(function () { r.WriteBytes(400, [1, 2.5]); }, E_INVALIDARG,
            "WriteBytes: element 1 of data is 2.5, not a whole number 0..255", "WriteBytes with 2.5 in the array");
expectError(function () { r.WriteBytes(400, [1, "x"]); }, DISP_E_TYPEMISMATCH,
            "WriteBytes: element 1 of data is a String, not a number 0..255", "WriteBytes with a string in the array");
expectError(function () { r.WriteBytes(400, [1, , 3]); }, DISP_E_TYPEMISMATCH,
            "WriteBytes: element 1 of data is missing", "WriteBytes of a sparse array");
expectError(function () { r.WriteBytes(400, "abc"); }, DISP_E_TYPEMISMATCH,
            "WriteBytes: data must be a Byte() array or an array of numbers 0..255, not a String", "WriteBytes of a string");
expectError(function () { r.WriteBytes(400, r); }, DISP_E_TYPEMISMATCH,
            "WriteBytes: data must be a Byte() array or an array of numbers 0..255, not an Object", "WriteBytes of an object without length");
expectError(function () { r.WriteBytes(65534, [1, 2, 3]); }, E_INVALIDARG,
            "WriteBytes: offset 65534 + count 3 is past the end of the region (65536 bytes)", "WriteBytes past the end");
check(r.ReadByte(65534) === 0, "the refused WriteBytes past the end wrote nothing");
expectError(function () { r.ReadBytes(1.5, 1); }, E_INVALIDARG, "ReadBytes: offset 1.5 is not a whole number", "ReadBytes at a fractional offset");
expectError(function () { r.ReadBytes(-1, 1); }, E_INVALIDARG, "ReadBytes: offset -1 is negative", "ReadBytes at a negative offset");
expectError(function () { r.ReadBytes(0, 1 / 0); }, E_INVALIDARG,
            "ReadBytes: count is infinite; it must be a whole number from 0 to 2^53", "ReadBytes of an infinite count");

// ==== strings ====
n = r.WriteString(1000, "hello \u00e9t\u00e9");
check(n === 12, "WriteString (UTF-8, NUL included) returns 12, got " + n);
check(r.ReadString(1000) === "hello \u00e9t\u00e9", "ReadString with everything left out");
check(r.ReadByte(1006) === 0xC3 && r.ReadByte(1007) === 0xA9, "e-acute is C3 A9 in UTF-8");
check(r.ReadString(1000, 5) === "hello", "ReadString with maxBytes");
check(r.ReadString(1000, 5, "utf-8") === "hello", "ReadString with maxBytes and encoding");
n = r.WriteString(1100, "wide", "utf-16");
check(n === 10, "WriteString utf-16 returns 10, got " + n);
check(r.ReadByte(1100) === 0x77 && r.ReadByte(1101) === 0, "utf-16 is little-endian");
check(r.ReadString(1100, undefined, "utf-16") === "wide", "ReadString with maxBytes left out (undefined) and encoding given");
n = r.WriteString(1200, "abcdef", undefined, false);
check(n === 6, "WriteString with encoding left out and terminate false returns 6, got " + n);
r.WriteString(1200, "xyz", "utf-8", false);
check(r.ReadString(1200) === "xyzdef", "an unterminated WriteString leaves the bytes after it");
n = r.WriteString(1300, "");
check(n === 1 && r.ReadString(1300) === "", "WriteString of an empty string writes the NUL only");
n = r.WriteString(1400, "\u4e2d\u6587");
check(n === 7 && r.ReadByte(1400) === 0xE4 && r.ReadByte(1401) === 0xB8 && r.ReadByte(1402) === 0xAD, "U+4E2D is E4 B8 AD in UTF-8");
check(r.ReadString(1400) === "\u4e2d\u6587", "CJK round trip");
n = r.WriteString(1450, "\ud83d\ude00");
check(n === 5 && r.ReadByte(1450) === 0xF0 && r.ReadString(1450) === "\ud83d\ude00", "a surrogate pair is 4 UTF-8 bytes and round trips");
expectError(function () { r.WriteString(1450, "\ud83d"); }, SR_E_BADENCODING,
            "WriteString: the text has an unpaired surrogate and cannot be written as UTF-8", "WriteString of an unpaired surrogate");
r.WriteBytes(1500, [0x61, 255, 254, 0]);
expectError(function () { r.ReadString(1500); }, SR_E_BADENCODING,
            "ReadString: the 3 bytes at offset 1500 are not valid UTF-8", "ReadString of invalid UTF-8");
expectError(function () { r.ReadString(1000, undefined, "ebcdic"); }, E_INVALIDARG,
            "ReadString: encoding 'ebcdic' is not one of \"utf-8\", \"utf-16\", \"ansi\", \"oem\", \"ascii\", \"latin-1\" or a code page \"cpNNN\"",
            "ReadString with an unknown encoding");
expectError(function () { r.WriteString(65534, "abc"); }, E_INVALIDARG,
            "WriteString: offset 65534 + count 4 is past the end of the region (65536 bytes)", "WriteString past the end");

// ==== typed access, Fill, Flush ====
r.WriteByte(2001, 200);
check(r.ReadByte(2001) === 200, "WriteByte/ReadByte");
r.WriteInt32(2003, -123456789);
check(r.ReadInt32(2003) === -123456789, "Int32 at an odd offset");
r.WriteBytes(2010, [0xFF, 0xFF, 0xFF, 0x7F]);
check(r.ReadInt32(2010) === 2147483647, "ReadInt32 is little-endian (FF FF FF 7F = 2147483647)");
r.WriteInt32(2020, 1);
check(r.ReadByte(2020) === 1 && r.ReadByte(2023) === 0, "WriteInt32 is little-endian");
r.WriteDouble(2031, 1 / 3);
check(r.ReadDouble(2031) === 1 / 3, "Double at an odd offset round trips exactly");
r.WriteDouble(2041, 9007199254740992);
check(r.ReadDouble(2041) === 9007199254740992, "2^53 round trips");
r.WriteDouble(2051, 1.5);
check(r.ReadByte(2051) === 0 && r.ReadByte(2057) === 0xF8 && r.ReadByte(2058) === 0x3F, "1.5 is 3FF8000000000000, stored little-endian (00 .. F8 3F)");
expectError(function () { r.WriteByte(0, 256); }, E_INVALIDARG, "WriteByte: value 256 is out of range; UInt8 takes 0 to 255", "WriteByte 256");
expectError(function () { r.ReadInt32(65533); }, E_INVALIDARG,
            "ReadInt32: offset 65533 + count 4 is past the end of the region (65536 bytes)", "ReadInt32 across the end");
expectError(function () { r.ReadDouble(-8); }, E_INVALIDARG, "ReadDouble: offset -8 is negative", "ReadDouble at a negative offset");
r.Fill(3000, 100, 0xAB);
check(r.ReadByte(3000) === 0xAB && r.ReadByte(3099) === 0xAB && r.ReadByte(3100) === 0, "Fill sets exactly count bytes");
expectError(function () { r.Fill(3000, 10, 256); }, E_INVALIDARG, "Fill: value 256 is not 0..255", "Fill with 256");
r.Flush();
r.Flush(4096);
r.Flush(0, 4096);
check(r.IsOpen, "Flush with no arguments, offset only, and both");
expectError(function () { r.Flush(70000); }, E_INVALIDARG, "Flush: offset 70000", "Flush past the end", true);

// ==== a region larger than 4 GiB (page-file backed; only touched pages cost memory) ====
v = new ActiveXObject("SharedRegion.Region");
v.Create("", 5 * GIB);
check(v.Size === 5 * GIB, "a 5 GiB region's Size is 5368709120, got " + v.Size);
v.WriteDouble(5 * GIB - 8, 42.5);
check(v.ReadDouble(5 * GIB - 8) === 42.5, "a Double at 5 GiB - 8");
v.WriteInt32(4 * GIB + 1, -7);
v2 = v.MapView(4 * GIB + 1, 4096);
check(v2.Offset === 4 * GIB + 1 && v2.ReadInt32(0) === -7, "a view at 4 GiB + 1 sees the region's bytes");
v2.Unmap();
v.Close();

// ==== views ====
r.Fill(0, 65536, 0);
v = r.MapView(12345, 1000);
check(v.Offset === 12345, "view Offset 12345 (unaligned), got " + v.Offset);
check(v.Size === 1000, "view Size 1000, got " + v.Size);
check(v.Access === 0, "a view with access left out has the region's access (0)");
check(v.IsMapped === true, "IsMapped after MapView");
check(v.Region.Name === r.Name, "view.Region is the region");
v.WriteByte(0, 7);
check(r.ReadByte(12345) === 7, "view offset 0 is region offset 12345");
r.WriteInt32(12345 + 996, 99);
check(v.ReadInt32(996) === 99, "the view sees the region's writes at its last 4 bytes");
v.WriteBytes(10, [4, 5, 6]);
b = v.ReadBytes(10, 3);
r.WriteBytes(100, b);
check(r.ReadByte(100) === 4 && r.ReadByte(101) === 5 && r.ReadByte(102) === 6, "view WriteBytes(array) and ReadBytes (Byte()) round trip");
n = v.WriteString(20, "view text");
check(n === 10 && v.ReadString(20) === "view text" && r.ReadString(12345 + 20) === "view text", "view WriteString/ReadString");
n = v.WriteString(40, "wv", "utf-16", false);
check(n === 4 && v.ReadString(40, 4, "utf-16") === "wv", "view utf-16 strings with terminate false and maxBytes");
v.WriteInt32(51, -2);
check(v.ReadInt32(51) === -2, "view Int32");
v.WriteDouble(61, -0.125);
check(v.ReadDouble(61) === -0.125, "view Double");
v.WriteByte(70, 255);
check(v.ReadByte(70) === 255, "view Byte");
v.Fill(80, 20, 17);
check(v.ReadByte(80) === 17 && v.ReadByte(99) === 17 && v.ReadByte(100) === 0, "view Fill");
v.Flush();
v.Flush(0, 100);
check(v.IsMapped, "view Flush with and without arguments");
expectError(function () { v.ReadBytes(999, 2); }, E_INVALIDARG,
            "ReadBytes: offset 999 + count 2 is past the end of the view (1000 bytes)", "view ReadBytes past its end");
expectError(function () { v.WriteBytes(998, [1, 2, 3]); }, E_INVALIDARG,
            "WriteBytes: offset 998 + count 3 is past the end of the view (1000 bytes)", "view WriteBytes past its end");
expectError(function () { v.WriteByte(0, 300); }, E_INVALIDARG, "WriteByte: value 300 is out of range; UInt8 takes 0 to 255", "view WriteByte 300");

v2 = r.MapView(65000, 0);
check(v2.Size === 536, "MapView(65000, 0) maps to the end (536 bytes), got " + v2.Size);
v2.Unmap();
v2 = r.MapView(12345, 100, 1);
check(v2.Access === 1, "MapView with access 1 is ReadOnly");
check(v2.ReadByte(0) === 7, "a ReadOnly view reads");
expectError(function () { v2.WriteByte(0, 1); }, E_ACCESSDENIED, "WriteByte: the view is read-only", "WriteByte through a ReadOnly view");
v2.Unmap();
v2 = r.MapView(8191, 10, 2);
check(v2.Access === 2, "MapView with access 2 is CopyOnWrite");
v2.WriteByte(0, 66);
check(v2.ReadByte(0) === 66 && r.ReadByte(8191) === 0, "a CopyOnWrite view's write stays private");
v2.Unmap();
expectError(function () { r.MapView(70000, 10); }, E_INVALIDARG,
            "MapView: offset 70000 is at or past the end of the region (65536 bytes)", "MapView past the end");
expectError(function () { r.MapView(65000, 1000); }, E_INVALIDARG,
            "MapView: offset 65000 + size 1000 is past the end of the region (65536 bytes)", "MapView across the end");
expectError(function () { r.MapView(0.5, 10); }, E_INVALIDARG, "MapView: offset 0.5 is not a whole number", "MapView at a fractional offset");

// A view outlives Close and the release of its region object.
v2 = r.MapView(1, 100);
v2.WriteInt32(0, 4242);
name = r.Name;
r.Close();
check(r.IsOpen === false, "the region is closed");
check(v2.IsMapped && v2.ReadInt32(0) === 4242, "a view still reads after its region was closed");
v2.WriteInt32(4, 5151);
check(v2.ReadInt32(4) === 5151, "a view still writes after its region was closed");
check(v2.Region.IsOpen === false, "view.Region is the (closed) region");
r = null;
CollectGarbage();
check(v2.ReadInt32(0) === 4242, "a view still reads after the script dropped its region object");
r2 = new ActiveXObject("SharedRegion.Region");
r2.Open(name);
check(r2.ReadInt32(5) === 5151, "another object opening the name sees the view's write");
r2.Close();
v2.Unmap();
check(v2.IsMapped === false, "IsMapped false after Unmap");
expectError(function () { v2.ReadByte(0); }, SR_E_NOTMAPPED, "ReadByte: the view is not mapped (Unmap was called)", "ReadByte after Unmap");
expectError(function () { v2.WriteBytes(0, [1]); }, SR_E_NOTMAPPED, "WriteBytes: the view is not mapped (Unmap was called)", "WriteBytes after Unmap");
v2.Unmap();
check(v2.IsMapped === false, "Unmap twice is harmless");
v.Unmap();

r = new ActiveXObject("SharedRegion.Region");
expectError(function () { r.ReadInt32(0); }, SR_E_NOTOPEN, "ReadInt32" + NOT_OPEN, "ReadInt32 on a closed region");
expectError(function () { r.MapView(0, 1); }, SR_E_NOTOPEN, "MapView" + NOT_OPEN, "MapView on a closed region");
expectError(function () { r.Signal(); }, SR_E_NOTOPEN, "Signal" + NOT_OPEN, "Signal on a closed region");

// ==== lock and signal ====
name = stem + "-lock";
r.Create(name, 4096);
check(r.Lock() === true, "Lock with the timeout left out");
check(r.Lock(0) === true, "Lock(0) again on the same thread (the lock is recursive)");
r.Unlock();
r.Unlock();
expectError(function () { r.Unlock(); }, ERR_NOT_OWNER,
            "Unlock: this object does not hold the region's lock (Lock was not called on it, Lock timed out and returned False, or every Lock was already matched by Unlock)",
            "Unlock of a lock not held");
expectError(function () { r.Lock(-2); }, E_INVALIDARG, "Lock: timeoutMs -2 is negative (use -1 to wait forever)", "Lock(-2)");
check(r.WaitSignal(100) === false, "WaitSignal(100) without Signal times out (false)");
r.Signal();
check(r.WaitSignal(0) === true, "WaitSignal(0) after Signal");
check(r.WaitSignal(0) === false, "the signal is auto-reset");
r.Signal();
check(r.WaitSignal() === true, "WaitSignal with the timeout left out, after Signal");
expectError(function () { r.WaitSignal(-5); }, E_INVALIDARG, "WaitSignal: timeoutMs -5 is negative (use -1 to wait forever)", "WaitSignal(-5)");

// Another process takes the lock, waits for our Signal and exits still holding it.
var shell = new ActiveXObject("WScript.Shell");
shell.Run("\"" + WScript.FullName + "\" //nologo \"" + WScript.ScriptFullName + "\" hold-lock " + name, 0, false);
for (i = 0; i < 600 && r.ReadByte(0) !== 1; i++) pause(25);
check(r.ReadByte(0) === 1, "the helper process took the lock");
check(r.Lock(150) === false, "Lock(150) times out (false) while another process holds the lock");
r.Signal();
check(r.Lock(20000) === true, "Lock succeeds once the holder has exited");
check(r.ReadByte(1) === 1, "the helper process received Signal in WaitSignal");
check(r.LockAbandoned === true, "LockAbandoned is true: the holder died holding the lock");
r.Unlock();
check(r.Lock(0) === true, "Lock(0) again");
check(r.LockAbandoned === false, "LockAbandoned is reset by the next Lock");
r.Unlock();
r.Close();

// ==== OpenFile on a temporary file ====
// The file is deleted in the finally block, whatever happened to the checks (an unexpected error
// is a failure, reported, and the cleanup still runs).
fso = new ActiveXObject("Scripting.FileSystemObject");
path = fso.BuildPath(fso.GetSpecialFolder(2).Path, fso.GetTempName());
try {
    f = fso.CreateTextFile(path, true);
    f.Write("hello file");
    f.Close();
    r.OpenFile(path);
    check(r.IsOpen && r.Size === 10, "OpenFile with size left out maps the file's 10 bytes, Size " + r.Size);
    check(r.FilePath.toLowerCase() === path.toLowerCase(), "FilePath is the file's full path: " + r.FilePath);
    check(r.Created === false, "Created is false for OpenFile");
    check(r.Name === "", "an unnamed file mapping has no Name");
    check(r.ReadString(0, 10) === "hello file", "the file's bytes");
    r.WriteString(0, "HELLO", undefined, false);
    r.Flush();
    r.Close();
    f = fso.OpenTextFile(path, 1);
    x = f.ReadAll();
    f.Close();
    check(x === "HELLO file", "WriteString + Flush reached the file: '" + x + "'");

    r.OpenFile(path, 4096, 0, stem + "-file");
    check(r.Size === 4096, "OpenFile with a size grows the mapping to 4096");
    check(r.Name === "Local\\" + stem + "-file", "OpenFile with a name: " + r.Name);
    r2 = new ActiveXObject("SharedRegion.Region");
    r2.Open(stem + "-file");
    r2.WriteInt32(4092, 31337);
    check(r.ReadInt32(4092) === 31337, "another object opened the file mapping by its name");
    r2.Close();
    r.Close();
    check(fso.GetFile(path).Size === 4096, "the file grew to 4096 bytes, is " + fso.GetFile(path).Size);

    r.OpenFile(path, undefined, 1);
    check(r.Access === 1 && r.Size === 4096, "OpenFile ReadOnly with size left out (undefined)");
    expectError(function () { r.Fill(0, 1, 0); }, E_ACCESSDENIED, "Fill: the region is read-only", "Fill on a ReadOnly file");
    r.Close();
    expectError(function () { r.OpenFile(path, 8192, 1); }, E_INVALIDARG,
                "OpenFile: size 8192 is larger than '" + path + "' (4096 bytes); only a ReadWrite mapping can grow a file",
                "OpenFile ReadOnly cannot grow");
    check(r.IsOpen === false, "a failed OpenFile leaves the object closed");
    r.OpenFile(path, 0, 2);
    check(r.Access === 2, "OpenFile CopyOnWrite");
    r.WriteString(0, "private", undefined, false);
    check(r.ReadString(0, 7) === "private", "a CopyOnWrite region reads its own writes");
    r.Close();
    f = fso.OpenTextFile(path, 1);
    x = f.Read(10);
    f.Close();
    check(x === "HELLO file", "a CopyOnWrite write never reaches the file: '" + x + "'");

    f = fso.CreateTextFile(path, true);
    f.Close();
    var e = expectError(function () { r.OpenFile(path); }, SR_E_EMPTYFILE, "OpenFile: '" + path + "' is empty; pass a size to grow it (ReadWrite only)",
                        "OpenFile of an empty file");
    fso.DeleteFile(path);
    e = expectError(function () { r.OpenFile(path); }, ERR_FILE_NOT_FOUND, "OpenFile: cannot open '" + path + "'", "OpenFile of a missing file", true);
    check(e !== null && / \(error 2\)$/.test(e.message), "the missing-file description carries the system's message and code: " + (e ? e.message : ""));
    expectError(function () { r.OpenFile(""); }, E_INVALIDARG, "OpenFile: the path is empty", "OpenFile of an empty path");
} catch (ex) {
    check(false, "the OpenFile checks stopped at an unexpected error " + hex(ex.number) + ": " + ex.message);
} finally {
    try { if (r2) r2.Close(); } catch (ex) { }
    try { r.Close(); } catch (ex) { }
    try { if (fso.FileExists(path)) fso.DeleteFile(path); } catch (ex) { }
    check(!fso.FileExists(path), "the temporary file " + path + " was deleted");
}

// ==== Data of every shape: typed values, arrays, ReadInto, structs, encodings (regions and views) ====
(function dataChecks() {
    var dr = new ActiveXObject("SharedRegion.Region"), big = null;
    try {
        dr.Create("", 8192);
        var dv = dr.MapView(4096, 4096);
        var targets = [dr, dv], k, t, o, x, a, n;
        for (k = 0; k < 2; k++) {
            t = targets[k];
            o = k ? 4096 : 0;
            t.WriteInt8(1, -128);
            t.WriteInt8(2, 127);
            check(t.ReadInt8(1) === -128 && t.ReadInt8(2) === 127, "Int8 extremes round trip");
            check(dr.ReadByte(o + 1) === 128, "Int8 -128 is the byte 80");
            expectError(function () { t.WriteInt8(1, 128); }, E_INVALIDARG,
                        "WriteInt8: value 128 is out of range; Int8 takes -128 to 127", "WriteInt8 one past the top");
            expectError(function () { t.WriteInt8(1, 2.5); }, E_INVALIDARG,
                        "WriteInt8: value 2.5 is not a whole number; Int8 takes whole numbers from -128 to 127", "WriteInt8 of 2.5");
            check(t.ReadInt8(1) === -128, "a refused WriteInt8 leaves the byte as it was");
            t.WriteInt16(3, -32768);
            t.WriteUInt16(5, 65535);
            check(t.ReadInt16(3) === -32768 && t.ReadUInt16(5) === 65535, "Int16 and UInt16 extremes round trip");
            expectError(function () { t.WriteUInt16(5, 65536); }, E_INVALIDARG,
                        "WriteUInt16: value 65536 is out of range; UInt16 takes 0 to 65535", "WriteUInt16 one past the top");
            t.WriteUInt32(9, 4294967295);
            check(t.ReadUInt32(9) === 4294967295, "UInt32 4294967295 round trip");
            expectError(function () { t.WriteUInt32(9, -1); }, E_INVALIDARG,
                        "WriteUInt32: value -1 is out of range; UInt32 takes 0 to 4294967295", "WriteUInt32 -1");
            check(t.ReadUInt32(9) === 4294967295, "a refused WriteUInt32 leaves the bytes as they were");
            // 64-bit: a Double when exact; JScript numbers are doubles, so the digit string goes in.
            t.WriteInt64(13, "-9007199254740992");
            x = t.ReadInt64(13);
            check(typeof x === "number" && x === -9007199254740992, "ReadInt64 of -2^53 is a number");
            t.WriteUInt64(21, "18446744073709551615");
            // 2^64-1 comes back as a Decimal, which JScript turns into its nearest number.
            try {
                x = t.ReadUInt64(21);
                check(x === 18446744073709551615, "ReadUInt64 of 2^64-1 reaches JScript as the nearest number: " + x);
            } catch (ex) {
                if ((ex.number >>> 0) !== 0x80004001) throw ex;
                skip("ReadUInt64 of 2^64-1 (a Decimal) in JScript", "this JScript engine cannot take a VT_DECIMAL value (error 80004001)");
            }
            check(dr.ReadInt32(o + 21) === -1 && dr.ReadInt32(o + 25) === -1, "WriteUInt64 of 2^64-1 is eight FF bytes");
            expectError(function () { t.WriteUInt64(21, -1); }, E_INVALIDARG,
                        "WriteUInt64: value -1 is out of range; UInt64 takes 0 to 18446744073709551615", "WriteUInt64 -1");
            expectError(function () { t.WriteInt64(21, "12abc"); }, DISP_E_TYPEMISMATCH, "WriteInt64: value \"12abc\"",
                        "WriteInt64 of a string that is not digits", true);
            // float32: ties to even, NaN and infinities kept, overflow refused.
            t.WriteSingle(29, 1 + Math.pow(2, -24));
            check(t.ReadSingle(29) === 1, "WriteSingle rounds 1 + 2^-24 to even (1)");
            t.WriteSingle(29, NaN);
            check(isNaN(t.ReadSingle(29)), "NaN is stored as NaN");
            t.WriteSingle(29, -Infinity);
            check(t.ReadSingle(29) === -Infinity, "-Infinity is stored as such");
            expectError(function () { t.WriteSingle(29, Math.pow(2, 128)); }, E_INVALIDARG,
                        "WriteSingle: value 3.4028236692093846e+38 is out of range; Single takes -3.4028234663852886e+38 to 3.4028234663852886e+38",
                        "WriteSingle of 2^128, beyond float32's range");
            check(t.ReadSingle(29) === -Infinity, "a refused WriteSingle leaves the bytes as they were");
        }

        // Arrays: JScript arrays in, VBArray out.
        n = dr.WriteArray(100, [-1, 2, 300, -32768], "Int16");
        check(n === 4, "WriteArray of a JScript array returns the count, got " + n);
        a = new VBArray(dr.ReadArray(100, 4, "h")).toArray();
        check(a.length === 4 && a[0] === -1 && a[2] === 300 && a[3] === -32768, "ReadArray through VBArray: " + a.join(","));
        n = dv.WriteArray(100, [1.5, -2.25], "f");
        a = new VBArray(dv.ReadArray(100, 2, 4)).toArray();
        check(a[0] === 1.5 && a[1] === -2.25, "a Single array through a view, with a DataType number (VT_R4, 4)");
        a = new VBArray(dv.ReadArray(100, 2, "FLOAT32")).toArray();
        check(a[0] === 1.5 && a[1] === -2.25, "a Single array read as \"FLOAT32\"");
        expectError(function () { dr.WriteArray(100, [1, "x", 3], "b"); }, DISP_E_TYPEMISMATCH, "WriteArray: element 1: value \"x\"",
                    "WriteArray with a bad element", true);
        a = new VBArray(dr.ReadArray(100, 1, "h")).toArray();
        check(a[0] === -1, "a refused WriteArray writes nothing");
        expectError(function () { dr.ReadArray(0, 1, "Int128"); }, E_INVALIDARG, "ReadArray: type \"Int128\" is not one of",
                    "ReadArray with an unknown type", true);

        // ReadInto: a Byte() from ReadBytes, refilled.
        dr.WriteInt32(200, 0x04030201);
        var b = dr.ReadBytes(0, 4);
        expectError(function () { dr.ReadInto(0, [1, 2]); }, DISP_E_TYPEMISMATCH, "ReadInto: buffer must be a Byte() array",
                    "ReadInto of a JScript array", true);
        n = dr.ReadInto(200, b);
        check(n === 4, "ReadInto returns the count, got " + n);

        // Structs.
        check(dr.CalcSize("<hIqf") === 18, "CalcSize('<hIqf') = 18");
        n = dv.Pack(500, "<hIdf8s?", [-2, 3000000000, 0.25, 0.5, "frame", true]);
        check(n === 27, "Pack returns the bytes written (2 + 4 + 8 + 4 + 8 + 1), got " + n);
        a = new VBArray(dv.Unpack(500, "<hIdf8s?")).toArray();
        check(a.length === 6 && a[0] === -2 && a[1] === 3000000000 && a[2] === 0.25 && a[3] === 0.5 && a[4] === "frame" && a[5] === true,
              "Unpack's fields: " + a.join(","));
        expectError(function () { dv.Pack(500, "<hI", [1, 2, 3]); }, E_INVALIDARG,
                    "Pack: format '<hI' has 2 fields, and 3 values were given", "Pack with too many values");
        check(dv.ReadInt16(500) === -2, "a refused Pack writes nothing");
        expectError(function () { dr.Unpack(8190, "<i"); }, E_INVALIDARG,
                    "Unpack: offset 8190 + count 4 is past the end of the region (8192 bytes)", "Unpack past the end");

        // Records: the same struct read by field name.
        var rec = dv.ReadRecord(500, "<level:h big:I ratio:d gain:f label:8s on:?");
        check(rec.level === -2 && rec.BIG === 3000000000 && rec.ratio === 0.25 && rec.label === "frame" && rec.on === true,
              "ReadRecord's fields by name (without case)");
        check(rec.Item("gain") === 0.5 && rec.Item(0) === -2 && rec.Count === 6, "Item by name and index, Count");
        check(rec.Exists("Label") === true && rec.Exists("nope") === false, "Exists");
        var names = [];
        for (var en = new Enumerator(rec); !en.atEnd(); en.moveNext()) names.push(en.item());
        check(names.join(",") === "level,big,ratio,gain,label,on", "enumerating a record gives its names: " + names.join(","));
        check(rec.ToJson() === '{"level":-2,"big":3000000000,"ratio":0.25,"gain":0.5,"label":"frame","on":true}',
              "ToJson: " + rec.ToJson());
        expectError(function () { return rec.Item("nope"); }, 0x80020006,
                    "Item: the record has no field \"nope\"; its fields are level, big, ratio, gain, label, on",
                    "Item of an unknown name");
        a = new VBArray(dr.ReadRecords(0, 3, 16, "<a:I b:I")).toArray();
        check(a.length === 3, "ReadRecords gives 3 records");

        // Encodings.
        n = dr.WriteString(600, "caf\u00e9 \u20ac", "cp1252");
        check(n === 7 && dr.ReadByte(603) === 0xe9 && dr.ReadByte(605) === 0x80, "WriteString in cp1252");
        check(dr.ReadString(600, undefined, "cp1252") === "caf\u00e9 \u20ac", "ReadString in cp1252");
        check(dr.ReadString(600, undefined, "latin-1") === "caf\u00e9 \u0080", "ReadString in latin-1");
        expectError(function () { dr.WriteString(610, "\u20ac", "latin-1"); }, SR_E_BADENCODING, "WriteString: the character U+20AC",
                    "WriteString of a euro sign as latin-1", true);

        // A region over 64 MiB: across the sliding window's edge.
        big = new ActiveXObject("SharedRegion.Region");
        big.Create("", 67108864 + 65536);
        big.WriteArray(67108864 - 6, [7, 8], "d");
        big.ReadByte(0);
        a = new VBArray(big.Unpack(67108864 - 6, "<dd")).toArray();
        check(a[0] === 7 && a[1] === 8, "Unpack across the 64 MiB window edge");
        big.WriteUInt32(67108864 - 2, 4000000000);
        check(big.ReadUInt32(67108864 - 2) === 4000000000, "a UInt32 across the window edge");
    } catch (ex) {
        check(false, "the data checks stopped at an unexpected error " + hex(ex.number) + ": " + ex.message);
    } finally {
        try { if (big) big.Close(); } catch (ex) { }
        try { dr.Close(); } catch (ex) { }
    }
})();
// ==== end of Data of every shape ====
// ==== Foreign lock and signal objects, and CreateFile (LockName, SignalName, CreateFile) ====
var lr = new ActiveXObject("SharedRegion.Region"), lr2 = new ActiveXObject("SharedRegion.Region");
var lname = "sr-js-foreign-" + fso.GetTempName(), lpath = fso.BuildPath(fso.GetSpecialFolder(2).Path, fso.GetTempName());
try {
    expectError(function () { lr.SignalName = "x"; }, SR_E_NOTOPEN, "SignalName: the region is not open", "SignalName on a closed region", true);
    check(lr.SignalName === "", "SignalName of a closed region is empty");
    lr.Create(lname, 4096);
    check(lr.LockName === "Local\\" + lname + "@SharedRegion.Lock", "the derived LockName: " + lr.LockName);
    expectError(function () { lr.LockName = ""; }, E_INVALIDARG, "LockName: the name is empty", "LockName set to empty", true);
    lr2.Create(lname + "-publisher", 4096);
    lr.LockName = "Local\\" + lname + "-publisher@SharedRegion.Lock";
    lr.SignalName = lname + "-publisher@SharedRegion.Signal";
    check(lr.SignalName === "Local\\" + lname + "-publisher@SharedRegion.Signal", "SignalName set: " + lr.SignalName);
    // One thread holds a mutex through two objects as a mutex nests for its thread.
    check(lr2.Lock(0) === true, "the publisher takes its lock");
    check(lr.Lock(100) === true, "the region's Lock on the publisher's mutex nests on the same thread");
    lr.Unlock();
    lr2.Unlock();
    lr2.Signal();
    check(lr.WaitSignal(1000) === true, "WaitSignal sees the publisher's event");
    expectError(function () { lr.SignalName = "other"; }, 0x800700AA, "SignalName: the region's signal event is already in use",
                "SignalName after the first WaitSignal", true);
    lr.Close();
    lr2.Close();
    lr.CreateFile(lpath, 10000);
    check(lr.IsOpen && lr.Size === 10000 && lr.Created, "CreateFile opens a new 10000-byte region");
    check(lr.ReadInt32(9996) === 0, "a new file reads zero");
    lr.Close();
    check(fso.GetFile(lpath).Size === 10000, "the file is 10000 bytes");
    var ce = expectError(function () { lr.CreateFile(lpath, 4096); }, 0x80070050, "CreateFile: '", "CreateFile of an existing path", true);
    check(ce !== null && ce.message.indexOf("already exists; CreateFile never overwrites a file") > 0, "the description says why");
} catch (ex) {
    check(false, "the LockName/SignalName/CreateFile checks stopped at an unexpected error " + hex(ex.number) + ": " + ex.message);
} finally {
    try { lr.Close(); } catch (ex) { }
    try { lr2.Close(); } catch (ex) { }
    try { if (fso.FileExists(lpath)) fso.DeleteFile(lpath); } catch (ex) { }
}
// ==== end of the foreign lock and signal objects, and CreateFile ====

// ==== Sizes and counts near the limits, strict text, typed writes that judge the value (issue 16) ====
var qr = new ActiveXObject("SharedRegion.Region"), qa;
qr.Create("", 65536);
qr.WriteBytes(0, [0xA1, 0xA2, 0xA3, 0xA4]);
// WriteInt32 and WriteByte take the script's own number: a fraction or a number out of range is refused,
// not rounded nor turned into DISP_E_OVERFLOW; nothing is written.
expectError(function () { qr.WriteInt32(0, 2.5); }, E_INVALIDARG,
            "WriteInt32: value 2.5 is not a whole number; Int32 takes whole numbers from -2147483648 to 2147483647", "WriteInt32(0, 2.5)");
expectError(function () { qr.WriteInt32(0, 3000000000); }, E_INVALIDARG,
            "WriteInt32: value 3000000000 is out of range; Int32 takes -2147483648 to 2147483647", "WriteInt32(0, 3000000000)");
expectError(function () { qr.WriteByte(0, 2.5); }, E_INVALIDARG,
            "WriteByte: value 2.5 is not a whole number; UInt8 takes whole numbers from 0 to 255", "WriteByte(0, 2.5)");
expectError(function () { qr.WriteByte(0, -1); }, E_INVALIDARG,
            "WriteByte: value -1 is out of range; UInt8 takes 0 to 255", "WriteByte(0, -1)");
check(qr.ReadInt32(0) === -1532779871, "the refused writes wrote nothing (A1 A2 A3 A4), got " + qr.ReadInt32(0));
qr.WriteInt32(0, 2147483647);
check(qr.ReadInt32(0) === 2147483647, "WriteInt32 takes 2147483647");
// Struct sizes are checked after each code's padding; a format's length is capped; a NUL is refused.
expectError(function () { qr.CalcSize("2147483647xq"); }, E_INVALIDARG,
            "CalcSize: format \"2147483647xq\": the struct is over 2147483647 bytes at position 11", "CalcSize of a struct padded past 2^31 - 1");
check(qr.CalcSize("2147483647x") === 2147483647, "CalcSize of 2^31 - 1 pad bytes");
expectError(function () { qr.CalcSize(new Array(65538).join("x")); }, E_INVALIDARG,
            "CalcSize: the format is 65537 characters long, more than a format may have (65536)", "CalcSize of a 65537-character format");
expectError(function () { qr.CalcSize("h\u0000q"); }, E_INVALIDARG,
            "CalcSize: the format contains a NUL character at position 1", "CalcSize of a format with a NUL");
// Arrays of VARIANTs stay under 2^31 bytes: at most 89478485 elements.
expectError(function () { qr.ReadArray(0, 178956971, "B"); }, E_INVALIDARG,
            "ReadArray: count 178956971 is more than one call can return (89478485 elements)", "ReadArray of 178956971 bytes");
expectError(function () { qr.Unpack(0, "178956971B"); }, E_INVALIDARG,
            "Unpack: format \"178956971B\" has 178956971 fields, more than one call can return (89478485)", "Unpack of 178956971 fields");
// A JScript array is read into VARIANTs: its length is held to the same limit before anything is read.
expectError(function () { var a = []; a.length = 268435457; qr.WriteArray(0, a, "B"); }, E_INVALIDARG,
            "WriteArray: values has 268435457 elements, more than one call can take (89478485)", "WriteArray of a JScript array of length 2^28 + 1");
// utf-16 is strict: an odd byte count and a surrogate alone are refused, read or written.
qr.WriteBytes(100, [0x61, 0, 0x62]);
expectError(function () { qr.ReadString(100, 3, "utf-16"); }, SR_E_BADENCODING,
            "ReadString: the 3 bytes at offset 100 are not valid utf-16 (an odd number of bytes)", "ReadString of 3 bytes as utf-16");
qr.WriteBytes(110, [0x3D, 0xD8, 0x00, 0xDE, 0, 0]);
expectError(function () { qr.ReadString(110, 2, "utf-16"); }, SR_E_BADENCODING,
            "ReadString: the 2 bytes at offset 110 are not valid utf-16 (an unpaired surrogate U+D83D at offset 110)", "ReadString cutting a surrogate pair");
check(qr.ReadString(110, 4, "utf-16") === "\uD83D\uDE00", "ReadString of the whole pair");
expectError(function () { qr.WriteString(200, "x\uD800", "utf-16"); }, SR_E_BADENCODING,
            "WriteString: the text has an unpaired surrogate (U+D800 at position 1) and cannot be written as utf-16", "WriteString of a lone surrogate as utf-16");
check(qr.ReadByte(200) === 0, "the refused WriteString wrote nothing");
// Pack cuts a text field at a character boundary, so Unpack takes back what Pack wrote.
check(qr.Pack(300, "2s", ["a\u00e9"]) === 2 && qr.ReadByte(300) === 0x61 && qr.ReadByte(301) === 0,
      "Pack '2s' of 'a' and e acute keeps 'a' alone (not half of the e acute)");
qa = new VBArray(qr.Unpack(300, "2s")).toArray();
check(qa[0] === "a", "Unpack takes what Pack wrote: '" + qa[0] + "'");
// Code pages whose conversion cannot report an invalid byte are refused by name.
expectError(function () { qr.ReadString(0, 4, "cp65000"); }, E_INVALIDARG,
            "ReadString: encoding 'cp65000': code page 65000 cannot be used: the system converts it without reporting invalid bytes, which would be read as text (UTF-7, ISO-2022, HZ, ISCII and Symbol code pages are refused)", "ReadString in cp65000");
qr.Close();
// ==== end of sizes, strict text and typed writes ====

echo("RESULT: " + passed + " passed, " + failed + " failed, " + skipped + " skipped");
WScript.Quit(failed > 0 ? 1 : 0);
