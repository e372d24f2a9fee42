// The commands under test share process-wide state (Spectre's single live display for progress bars, the console,
// Device.CpuThreads), as the real CLI does one command per process; run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
