// Benchmarks are added under bench/<name>/; this runner lists what exists.
console.log('no benchmarks yet')
