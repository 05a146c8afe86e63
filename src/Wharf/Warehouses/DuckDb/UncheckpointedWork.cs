namespace Wharf.Warehouses.DuckDb;

/// <summary>
/// What the warehouse's loads committed since its file was last checkpointed (see
/// <see cref="DuckDbLoadSession.CommitAsync"/>): rows, and whether a stream's last load is among
/// it, whose checkpoint waits for the stream's audit row to be written again
/// (<see cref="DuckDbWarehouse.RecordAsync"/>), so that one checkpoint covers both.
/// </summary>
internal sealed class UncheckpointedWork
{
    public long Rows { get; set; }

    public bool LastLoad { get; set; }

    public void Checkpointed()
    {
        Rows = 0;
        LastLoad = false;
    }
}
