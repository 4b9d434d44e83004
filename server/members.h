/*
 * SharedRegion server: the one list of the data members (ISharedData in the IDL).
 *
 * Regions, views and snapshots inherit every data member from ISharedData, and each member has one
 * implementation in data.c that takes the object's span. This list is the only place that
 * connects the two: from it, private.h declares the data.c functions, and region.c, view.c and
 * snapshot.c generate their thin vtable entries (region_ReadBytes, view_ReadBytes, ...) and fill their
 * vtables by member name (designated initializers: the compiler checks every type, so there is
 * no function-pointer cast and no order to keep in step with the IDL).
 *
 * Adding a data member: declare it once in ISharedData (idl/sharedregion.idl), write its data_
 * function in data.c, and add one line here. Nothing else changes (IDispatch reaches it through the
 * type library; data_invoke_typed's fast path is only for members scripts call in tight loops).
 *
 * SR_DATA_MEMBER(Name, data_function, (parameters after the object), (the same names as arguments))
 */
#ifndef SHAREDREGION_MEMBERS_H
#define SHAREDREGION_MEMBERS_H

#define SR_DATA_MEMBERS(X) \
    X(ReadBytes,   data_read_bytes,   (double offset, double count, VARIANT *data), (offset, count, data)) \
    X(WriteBytes,  data_write_bytes,  (double offset, VARIANT data), (offset, data)) \
    X(ReadString,  data_read_string,  (double offset, VARIANT max_bytes, VARIANT encoding, BSTR *text), \
                                      (offset, max_bytes, encoding, text)) \
    X(WriteString, data_write_string, (double offset, BSTR text, VARIANT encoding, VARIANT terminate, LONG *written), \
                                      (offset, text, encoding, terminate, written)) \
    X(ReadByte,    data_read_byte,    (double offset, BYTE *value), (offset, value)) \
    X(WriteByte,   data_write_byte,   (double offset, double value), (offset, value)) \
    X(ReadInt32,   data_read_int32,   (double offset, LONG *value), (offset, value)) \
    X(WriteInt32,  data_write_int32,  (double offset, double value), (offset, value)) \
    X(ReadDouble,  data_read_double,  (double offset, double *value), (offset, value)) \
    X(WriteDouble, data_write_double, (double offset, double value), (offset, value)) \
    X(Fill,        data_fill,         (double offset, double count, LONG value), (offset, count, value)) \
    X(Flush,       data_flush,        (VARIANT offset, VARIANT count), (offset, count)) \
    X(ReadInt8,    data_read_int8,    (double offset, SHORT *value), (offset, value)) \
    X(WriteInt8,   data_write_int8,   (double offset, double value), (offset, value)) \
    X(ReadInt16,   data_read_int16,   (double offset, SHORT *value), (offset, value)) \
    X(WriteInt16,  data_write_int16,  (double offset, double value), (offset, value)) \
    X(ReadUInt16,  data_read_uint16,  (double offset, LONG *value), (offset, value)) \
    X(WriteUInt16, data_write_uint16, (double offset, double value), (offset, value)) \
    X(ReadUInt32,  data_read_uint32,  (double offset, double *value), (offset, value)) \
    X(WriteUInt32, data_write_uint32, (double offset, double value), (offset, value)) \
    X(ReadInt64,   data_read_int64,   (double offset, VARIANT *value), (offset, value)) \
    X(WriteInt64,  data_write_int64,  (double offset, VARIANT value), (offset, value)) \
    X(ReadUInt64,  data_read_uint64,  (double offset, VARIANT *value), (offset, value)) \
    X(WriteUInt64, data_write_uint64, (double offset, VARIANT value), (offset, value)) \
    X(ReadSingle,  data_read_single,  (double offset, double *value), (offset, value)) \
    X(WriteSingle, data_write_single, (double offset, double value), (offset, value)) \
    X(ReadArray,   data_read_array,   (double offset, double count, VARIANT type, VARIANT *values), \
                                      (offset, count, type, values)) \
    X(WriteArray,  data_write_array,  (double offset, VARIANT values, VARIANT type, LONG *written), \
                                      (offset, values, type, written)) \
    X(ReadInto,    data_read_into,    (double offset, VARIANT buffer, LONG *count), (offset, buffer, count)) \
    X(Unpack,      data_unpack,       (double offset, BSTR format, VARIANT encoding, VARIANT *values), \
                                      (offset, format, encoding, values)) \
    X(Pack,        data_pack,         (double offset, BSTR format, VARIANT values, VARIANT encoding, LONG *written), \
                                      (offset, format, values, encoding, written)) \
    X(CalcSize,    data_calc_size,    (BSTR format, LONG *bytes), (format, bytes)) \
    X(ReadRecord,  data_read_record,  (double offset, BSTR format, VARIANT encoding, ISharedRecord **record), \
                                      (offset, format, encoding, record)) \
    X(ReadRecords, data_read_records, (double offset, double count, double stride, BSTR format, VARIANT encoding, \
                                       VARIANT *records), (offset, count, stride, format, encoding, records)) \
    X(Snapshot,    data_snapshot,     (double offset, double count, VARIANT guard, LONG timeout, ISharedSnapshot **copy), \
                                      (offset, count, guard, timeout, copy)) \
    X(WaitChange,  data_wait_change,  (double offset, LONG timeout, VARIANT type, VARIANT previous, VARIANT_BOOL *changed), \
                                      (offset, timeout, type, previous, changed))

#define SR_UNPAREN(...) __VA_ARGS__

/* data.c's functions: HRESULT data_read_bytes(struct sr_span *s, double offset, double count, VARIANT *data); */
#define SR_DATA_DECLARE(name, func, params, args) HRESULT func(struct sr_span *s, SR_UNPAREN params);

/* An object's thin vtable entries. In region.c (view.c likewise):
 *   #define REGION_DATA(name, func, params, args) SR_DATA_ENTRY(region, ISharedRegion, region_span, name, func, params, args)
 *   SR_DATA_MEMBERS(REGION_DATA)    defines region_ReadBytes(ISharedRegion *iface, ...), which calls
 *                                   data_read_bytes(region_span(iface), ...), and so on for every member;
 *   #define REGION_SLOT(name, func, params, args) SR_DATA_SLOT(region, name)
 *   SR_DATA_MEMBERS(REGION_SLOT)    inside the vtable's initializer: .ReadBytes = region_ReadBytes, ... */
#define SR_DATA_ENTRY(obj, Iface, span_of, name, func, params, args) \
    static HRESULT WINAPI obj##_##name(Iface *iface, SR_UNPAREN params) \
    { \
        return func(span_of(iface), SR_UNPAREN args); \
    }
#define SR_DATA_SLOT(obj, name) .name = obj##_##name,

#endif /* SHAREDREGION_MEMBERS_H */
