namespace LstmSweep.Training.Tests;

/// <summary>
/// Tests that must not share the process with other tests while they run: they measure process memory, or they
/// need torch's global generator to themselves (the smoke test builds modules without the seeding lock).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NonParallel
{
    public const string Name = "Runs alone";
}
