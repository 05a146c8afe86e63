namespace Wharf.Transforms;

/// <summary>A processor of <c>transform:</c> cannot be applied to the rows (it does not compile, or values do not convert); nothing was loaded.</summary>
internal sealed class TransformException(string table, string step, string message, Exception? innerException = null) : WharfException(message, innerException)
{
    public string Table { get; } = table;

    /// <summary>The step, as wharf.yml says it (with its location).</summary>
    public string Step { get; } = step;
}
