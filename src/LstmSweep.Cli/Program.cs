namespace LstmSweep.Cli; static class Program { static int Main(string[] a) => 0; }
