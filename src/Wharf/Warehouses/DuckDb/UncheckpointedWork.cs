namespace Wharf.Warehouses.DuckDb;

/// <summary>
/// What the warehouse committed since its file was last checkpointed (see
/// <see cref="DuckDbLoadSession.CommitAsync"/>): the rows loaded, and whether anything at all (an
/// audit row is enough), which the run's end checkpoints once for all its streams
/// (<see cref="DuckDbWarehouse.EndRunAsync"/>).
/// </summary>
internal sealed class UncheckpointedWork
{
    public long Rows { get; set; }

    public bool Any { get; set; }

    public void Checkpointed()
    {
        Rows = 0;
        Any = false;
    }
}
