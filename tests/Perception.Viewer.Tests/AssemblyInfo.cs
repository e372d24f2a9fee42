// Each rendering test makes its own GL context on its own thread; one at a time keeps Mesa's software rasteriser
// from competing for the two cores and keeps timings in failure messages meaningful.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
