#include <mpi.h>

// Open MPI's handles are macros over global objects, which Swift cannot import.
static inline MPI_Comm latent_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype latent_mpi_byte(void) { return MPI_BYTE; }
