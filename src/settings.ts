/** The name the plugin is published under; must match package.json. */
export const PLUGIN_NAME = 'homebridge-occupancy-thermostat';

/** The `platform` value users put in config.json. */
export const PLATFORM_NAME = 'OccupancyThermostat';
