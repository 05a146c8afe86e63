using Wharf.Sources;
using Wharf.Warehouses;

namespace Wharf.Tests.Errors;

/// <summary>Whether a retry can help survives every wrapping of an error.</summary>
public sealed class TransienceTests
{
    [Fact]
    public void Wrapping_ATransientError_KeepsItTransient()
    {
        var dropped = new SourceException("shop", "orders", "The connection dropped.") { Transient = true };

        new WharfException("Reading failed.", dropped).IsTransient.ShouldBeTrue();
        new LoadException("raw.orders", "run", "Loading failed.", new WharfException("Reading failed.", dropped)).IsTransient.ShouldBeTrue();
        new SourceException("shop", "orders", "Reading failed.", dropped).IsTransient.ShouldBeTrue();
    }

    [Fact]
    public void Wrapping_APermanentError_OrNone_IsNotTransient()
    {
        new WharfException("Bad file.").IsTransient.ShouldBeFalse();
        new LoadException("raw.orders", "run", "Loading failed.", new SourceException("shop", "orders", "Wrong password.")).IsTransient.ShouldBeFalse();
        new LoadException("raw.orders", "run", "Loading failed.", new InvalidOperationException("not Wharf's")).IsTransient.ShouldBeFalse();
    }

    [Fact]
    public void LoadException_TheWarehouseMarksTransient_IsTransient() =>
        new LoadException("raw.orders", "run", "Deadlock.") { Transient = true }.IsTransient.ShouldBeTrue();
}
