/**
 * Host-side file work on trees an untrusted container can write (the agent's state directory, the
 * workspace, mounted directories): {@link dev.coi.hostfs.HostDir} for one open directory, {@link
 * dev.coi.hostfs.HostTrees} for whole trees. Everything goes through directory handles and never
 * follows a symbolic link on any component; fifos, sockets and devices are never opened; files and
 * directories are created with their final, private mode from the start.
 */
package dev.coi.hostfs;
