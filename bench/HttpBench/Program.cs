using Wharf.HttpBench;

return args switch
{
    ["serve", var port, var records, var partitions] => await PageServer.RunAsync(int.Parse(port), long.Parse(records), int.Parse(partitions)),
    ["fetch", var url, var partitions, var concurrency] => await Baseline.RunAsync(url, int.Parse(partitions), int.Parse(concurrency)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: HttpBench serve PORT RECORDS PARTITIONS | fetch URL PARTITIONS CONCURRENCY");
    return 2;
}
