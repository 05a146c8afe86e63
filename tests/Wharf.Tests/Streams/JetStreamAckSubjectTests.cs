using Wharf.Sources.Streams;

namespace Wharf.Tests.Streams;

public sealed class JetStreamAckSubjectTests
{
    private static readonly DateTimeOffset Stored = new DateTimeOffset(2026, 12, 7, 9, 30, 15, TimeSpan.Zero).AddTicks(1234567);

    private static string Nanos => ((Stored - DateTimeOffset.UnixEpoch).Ticks * 100 + 89).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void TryParse_ReadsTheNineTokenForm()
    {
        Assert.True(JetStreamAckSubject.TryParse($"$JS.ACK.orders.wharf_orders.3.1048576.17.{Nanos}.42", out var sequence, out var delivered, out var timestamp));

        Assert.Equal(1_048_576UL, sequence);
        Assert.Equal(3UL, delivered);
        Assert.Equal(Stored, timestamp);
    }

    [Theory]
    [InlineData("$JS.ACK.hub.ACCHASH.orders.wharf_orders.1.99.5.{0}.0.r4nd0m")]
    [InlineData("$JS.ACK._.ACCHASH.orders.wharf_orders.1.99.5.{0}.0")]
    [InlineData("$JS.ACK.hub.ACCHASH.orders.wharf_orders.1.99.5.{0}.0.r4nd0m.future.tokens")]
    public void TryParse_ReadsTheFormWithDomainAndAccount(string format)
    {
        Assert.True(JetStreamAckSubject.TryParse(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, Nanos), out var sequence, out var delivered, out var timestamp));

        Assert.Equal(99UL, sequence);
        Assert.Equal(1UL, delivered);
        Assert.Equal(Stored, timestamp);
    }

    [Theory]
    [InlineData("_INBOX.abc.def")]
    [InlineData("$JS.ACK.orders.wharf_orders.3.1048576.17.99")]
    [InlineData("$JS.ACK.orders.wharf_orders.3.x.17.99.42")]
    [InlineData("$JS.ACK.orders.wharf_orders.-3.5.17.99.42")]
    [InlineData("$JS.ACK.a.b.orders.wharf_orders.1.2.3.4")]
    public void TryParse_RefusesWhatIsNotAnAcknowledgementSubject(string subject)
    {
        Assert.False(JetStreamAckSubject.TryParse(subject, out _, out _, out _));
    }
}
