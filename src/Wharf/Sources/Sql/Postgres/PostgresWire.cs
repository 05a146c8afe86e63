namespace Wharf.Sources.Sql.Postgres;

/// <summary>
/// The binary forms in which a COPY (FORMAT BINARY) sends the values Wharf reads natively; every
/// other type is cast to text in the COPY itself (see <see cref="PostgresColumnPlan"/>).
/// </summary>
internal enum PostgresWire
{
    Boolean,
    Int16,
    Int32,
    Int64,
    UInt32,
    Float32,
    Float64,

    /// <summary>UTF-8 text (the connection's encoding): text, varchar, char, name, and whatever is cast to text.</summary>
    Text,
    Bytes,

    /// <summary>Days from 2000-01-01, staged as days from 1970-01-01.</summary>
    Date,

    /// <summary>Microseconds from 2000-01-01, staged as microseconds from 1970-01-01.</summary>
    Timestamp,
    Time,
    TimeTz,
    Interval,
    Uuid,
}
