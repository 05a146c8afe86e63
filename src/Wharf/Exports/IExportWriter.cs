using System.Data.Common;
using Wharf.Projects;

namespace Wharf.Exports;

/// <summary>Writes rows to one file as they are read; nothing is held but the current row (and a format's small buffers).</summary>
internal interface IExportWriter : IAsyncDisposable
{
    /// <summary>Writes the reader's current row (the columns the writer was made for).</summary>
    Task WriteRowAsync(DbDataReader reader, CancellationToken cancellationToken);

    /// <summary>Finishes the file (closing brackets, footers, the workbook's parts).</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}
