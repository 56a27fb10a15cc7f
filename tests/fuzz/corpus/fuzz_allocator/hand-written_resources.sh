# resources.sh written by hand for a test pod, in the forms sh(1) takes
export EXCLUSIVE_CPUS='2-3'

  SHARED_CPUS=0-1   # the shared pool
export POLICY="topology-aware"
export POLICY
ALL_MEMS="0"
