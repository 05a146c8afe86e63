using System.Globalization;

namespace Wharf.Sources.Streams;

/// <summary>
/// What a JetStream message's reply subject says about its delivery, read without allocating:
/// <c>$JS.ACK.&lt;stream&gt;.&lt;consumer&gt;.&lt;delivered&gt;.&lt;stream seq&gt;.&lt;consumer seq&gt;.&lt;nanos&gt;.&lt;pending&gt;</c>
/// (9 tokens), or since NATS 2.9 the same after a domain and an account hash, with a random token
/// at the end (11 or more). The client's own <c>Metadata</c> splits the subject into strings, once
/// per message: a tenth of a run's CPU on a stream of small messages.
/// </summary>
internal static class JetStreamAckSubject
{
    /// <summary>Reads the stream sequence, how many times the message was delivered, and when it was stored; false when the subject is not a JetStream acknowledgement.</summary>
    public static bool TryParse(ReadOnlySpan<char> subject, out ulong sequence, out ulong delivered, out DateTimeOffset timestamp)
    {
        (sequence, delivered, timestamp) = (0, 0, default);
        if (!subject.StartsWith("$JS.ACK.", StringComparison.Ordinal))
        {
            return false;
        }

        var tokens = subject.Count('.') + 1;
        if (tokens != 9 && tokens < 11)
        {
            return false;
        }

        // Token positions of the longer form; the 9-token form lacks the domain and account hash.
        var shift = tokens == 9 ? 2 : 0;
        Span<Range> ranges = stackalloc Range[11];
        subject.Split(ranges, '.');
        if (!ulong.TryParse(subject[ranges[6 - shift]], NumberStyles.None, CultureInfo.InvariantCulture, out delivered)
            || !ulong.TryParse(subject[ranges[7 - shift]], NumberStyles.None, CultureInfo.InvariantCulture, out sequence)
            || !long.TryParse(subject[ranges[9 - shift]], NumberStyles.None, CultureInfo.InvariantCulture, out var nanos))
        {
            return false;
        }

        timestamp = DateTimeOffset.UnixEpoch.AddTicks(nanos / TimeSpan.NanosecondsPerTick);
        return true;
    }
}
