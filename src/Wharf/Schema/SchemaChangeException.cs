namespace Wharf.Schema;

/// <summary>The new data's schema breaks the table's, or the contract: nothing was loaded.</summary>
internal sealed class SchemaChangeException(string message) : WharfException(message);
