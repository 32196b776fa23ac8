/**
 * What a client of the MBean needs besides JMX itself: the fetch's source over any {@code MBeanServerConnection}.
 * Used by the agent jar's command line and bundled into the JConsole plugin (with {@code core.transfer}), so it may
 * use nothing of the agent but the documented operation and attribute names.
 */
package dev.oomheapdump.mbean.client;
